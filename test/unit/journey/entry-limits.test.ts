import { describe, expect, it } from 'vitest';
import { CustomerEvent } from '#shared/events.ts';
import { liveFields } from '#shared/ingest/live-journey.ts';
import { planIngest } from '#shared/ingest/plan.ts';
import { judgeEntry } from '#shared/journey/entry/limits.ts';
import { Journey } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';

const HOUR = 3600_000;
const limit = { max: 2, per: 'PT1H' };
const window = (now: number) => ({ now, windowStart: now - HOUR, windowEnd: now + HOUR });

describe('judgeEntry', () => {
  it.each([
    { name: 'no entries yet', recorded: [], id: 'c', status: 'counted', kept: 1 },
    {
      name: 'one in the window',
      recorded: [{ at: 9 * HOUR + 1, id: 'a' }],
      id: 'c',
      status: 'counted',
      kept: 2,
    },
    {
      name: 'one exactly a window ago has left it',
      recorded: [
        { at: 9 * HOUR, id: 'a' },
        { at: 9 * HOUR + 1, id: 'b' },
      ],
      id: 'c',
      status: 'counted',
      kept: 2,
    },
    {
      name: 'full window',
      recorded: [
        { at: 9 * HOUR + 1, id: 'a' },
        { at: 9 * HOUR + 2, id: 'b' },
      ],
      id: 'c',
      status: 'refused',
    },
    {
      name: 'old entries fall out (the list stays bounded)',
      recorded: [
        { at: 8 * HOUR, id: 'a' },
        { at: 9 * HOUR - 1, id: 'b' },
      ],
      id: 'c',
      status: 'counted',
      kept: 1,
    },
    {
      name: 'a redelivery of a counted entry',
      recorded: [
        { at: 9 * HOUR + 1, id: 'a' },
        { at: 9 * HOUR + 2, id: 'c' },
      ],
      id: 'c',
      status: 'again',
    },
  ])('$name: $status', ({ recorded, id, status, kept }) => {
    const decision = judgeEntry(recorded, { id, ...window(10 * HOUR) }, limit);
    expect(decision.status).toBe(status);
    if (decision.status === 'counted') {
      expect(decision.entries).toHaveLength(kept ?? 0);
      expect(decision.expiresAt).toBe((11 * HOUR) / 1000);
    }
  });
});

describe('trigger.maxAge at planning', () => {
  const journey = Journey.parse({
    id: 'j',
    name: 'J',
    trigger: { type: 'event', event: 'Go', maxAge: 'PT1H' },
    start: 'x',
    steps: { x: { type: 'exit' } },
  });
  const arn = 'arn:aws:states:eu-west-1:1:stateMachine:journey-j';
  const live = {
    ...liveFields(journey),
    version: '1',
    versionArn: `${arn}:1`,
    aliasArn: `${arn}:live`,
    stateMachineArn: arn,
  };
  const state = {
    profile: { userId: 'u', traits: {}, consent: {}, events: {} },
    waitingFor: {},
    sends: { email: [], sms: [], push: [] },
    sendsVersion: 0,
    lastEvents: {},
  };
  const event = (timestamp: string) =>
    CustomerEvent.parse({
      type: 'track',
      userId: 'u',
      event: 'Go',
      messageId: timestamp,
      timestamp,
      properties: {},
    });
  const now = new Date('2026-11-24T10:00:00Z');

  it.each([
    ['2026-11-24T09:00:00Z', 1, 0],
    ['2026-11-24T08:59:59Z', 0, 1],
  ])('an event of %s enrolls %i and is skipped %i times', (timestamp, enrolls, skips) => {
    const plan = planIngest({ event: event(timestamp), userId: 'u', state, journeys: [live], now });
    expect(plan.enroll).toHaveLength(enrolls);
    expect(plan.skip.map((s) => s.reason)).toEqual(skips === 0 ? [] : ['tooOld']);
  });
});

describe('entry limit validation', () => {
  const base = { id: 'j', name: 'J', start: 'x', steps: { x: { type: 'exit' } } };
  it.each([
    [{ max: 0, per: 'P1D' }, 'trigger.limit.max'],
    [{ max: 101, per: 'P1D' }, 'trigger.limit.max'],
    [{ max: 1, per: 'P2Y' }, 'trigger.limit.per'],
    [{ max: 1, per: 'soon' }, 'trigger.limit.per'],
  ])('rejects %j at %s', (value, path) => {
    const result = validateJourney({ ...base, trigger: { type: 'event', event: 'Go', limit: value } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.violations.map((v) => v.path)).toContain(path);
  });

  it('has no maxAge on a segment trigger (a segment run has no event time)', () => {
    const trigger = {
      type: 'segment',
      schedule: 'rate(1 day)',
      segment: { path: 'profile.traits.x', exists: true },
      maxAge: 'P1D',
    };
    expect(validateJourney({ ...base, trigger }).ok).toBe(false);
  });
});
