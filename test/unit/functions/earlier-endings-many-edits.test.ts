import { describe, expect, it } from 'vitest';
import { CustomerEvent } from '#shared/events.ts';
import { earlierEndings, type LiveJourney, liveFields } from '#shared/ingest/live-journey.ts';
import { planIngest } from '#shared/ingest/plan.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';
import type { ActiveEnrollment, ProfileState } from '#shared/profile/state.ts';

/**
 * A journey edited more than 20 times (its messages and waits, mostly) while
 * enrollments of its first versions still run: each finishes on its own
 * version's goal, not the live one's, because versions whose endings are the
 * same share one kept entry.
 */

const NOW = new Date('2026-11-24T10:00:00Z');

function version(n: number, goal: string, previous: LiveJourney | undefined): LiveJourney {
  const input: JourneyInput = {
    id: 'edited',
    name: 'Edited often',
    trigger: { type: 'event', event: 'Go' },
    goal: { event: goal, within: 'P30D' },
    start: 'pause',
    // each edit changes the wait, which publishes a version
    steps: { pause: { type: 'wait', for: `PT${n}H`, next: 'done' }, done: { type: 'exit' } },
  };
  const arn = 'arn:aws:states:eu-west-1:1:stateMachine:journey-edited';
  const v = String(n);
  const earlier = earlierEndings(previous, v, NOW);
  return {
    ...liveFields(Journey.parse(input)),
    version: v,
    versionArn: `${arn}:${v}`,
    aliasArn: `${arn}:live`,
    stateMachineArn: arn,
    ...(earlier.length === 0 ? {} : { earlier }),
  };
}

const state: ProfileState = {
  profile: { userId: 'u', traits: {}, consent: {}, events: {} },
  waitingFor: {},
  sends: { email: [], sms: [], push: [] },
  sendsVersion: 0,
  lastEvents: {},
};

function outcome(journey: LiveJourney, enrollmentVersion: string, event: string): string[] {
  const enrollment: ActiveEnrollment = {
    enrollmentId: `e-${enrollmentVersion}`,
    journeyId: 'edited',
    version: enrollmentVersion,
    executionArn: 'arn:aws:states:eu-west-1:1:execution:journey-edited:e',
    enrolledAt: '2026-11-20T10:00:00Z',
    goalUntil: '2026-12-20T10:00:00Z',
  };
  const plan = planIngest({
    event: CustomerEvent.parse({
      type: 'track',
      userId: 'u',
      event,
      messageId: `m-${event}`,
      timestamp: '2026-11-24T09:00:00Z',
    }),
    userId: 'u',
    state,
    enrollments: [enrollment],
    journeys: [journey],
    now: NOW,
  });
  return plan.finish.map((f) => f.outcome);
}

describe('a journey edited 30 times, its goal changed twice', () => {
  // versions 1–10 convert on "Ordered", 11–25 on "Purchased", 26–30 on "Paid"
  const goalOf = (n: number) => (n <= 10 ? 'Ordered' : n <= 25 ? 'Purchased' : 'Paid');
  let live: LiveJourney | undefined;
  for (let n = 1; n <= 30; n++) live = version(n, goalOf(n), live);
  const journey = live as LiveJourney;

  it('ends an enrollment of its first version on that version’s goal', () => {
    expect(outcome(journey, '1', 'Ordered')).toEqual(['converted']);
    expect(outcome(journey, '1', 'Paid')).toEqual([]);
    expect(outcome(journey, '12', 'Purchased')).toEqual(['converted']);
    expect(outcome(journey, '12', 'Ordered')).toEqual([]);
  });

  it('keeps one entry per distinct set of endings, naming every version', () => {
    const earlier = journey.earlier ?? [];
    expect(earlier.map((e) => e.goal?.event)).toEqual(['Paid', 'Purchased', 'Ordered']);
    const versions = earlier.flatMap((e) => [e.version, ...(e.also ?? [])]);
    expect(versions.sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 29 }, (_, i) => String(i + 1)),
    );
  });
});
