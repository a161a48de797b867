import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Trace, TraceExecution } from '#infra/local/inspect/trace.ts';
import { traceView } from '#infra/local/inspect/trace-view.ts';
import { experimentStates } from '#shared/ingest/experiments.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * What `journeys trace` and the console say of a variant drawn at a split
 * with an experiment: running, drawn before it ended, the winner after it,
 * or the holdout kept after it. Buckets of the example's channel test:
 * sms below 45, push below 90, the control holdout from 90.
 */

function cartJourney(): Journey {
  const parsed = validateJourney(JSON.parse(readFileSync('journeys/cart-abandonment.json', 'utf8')));
  if (!parsed.ok) throw new Error('the cart example does not validate');
  return parsed.journey;
}

const journey = cartJourney();
const running = experimentStates(journey, '1', '2026-03-01T00:00:00.000Z');
const decided = running.map((s) => ({
  ...s,
  decision: {
    winner: 'push',
    at: '2026-03-15T00:00:00.000Z',
    reason: 'the window ended; push converts best',
  },
}));

function execution(startedAt: string, bucket: number, next: string): TraceExecution {
  return {
    journeyId: journey.id,
    version: '1',
    enrollmentId: `e-${bucket}`,
    executionArn: `arn:aws:states:eu-west-1:123456789012:execution:journey-${journey.id}:e-${bucket}`,
    status: 'RUNNING',
    startedAt,
    buckets: { 'channel-test': bucket },
    steps: [{ stepId: 'channel-test', at: startedAt, next, deferrals: [] }],
  };
}

/** Where the split led: the bucket's variant, or the winner for any but the holdout once the experiment ended. */
function nextOf(states: typeof running, startedAt: string, bucket: number): string {
  if (bucket >= 90) return 'not-ordered';
  const ended = states.some(
    (s) => s.decision !== undefined && Date.parse(s.decision.at) <= Date.parse(startedAt),
  );
  return ended || bucket >= 45 ? 'cart-push' : 'cart-sms';
}

function splitLine(states: typeof running, startedAt: string, bucket: number): string | undefined {
  const trace: Trace = {
    userId: 'u1',
    profile: { traits: {}, consent: {}, timezone: 'UTC' },
    executions: [execution(startedAt, bucket, nextOf(states, startedAt, bucket))],
    enrollments: [],
    messages: [],
    experiments: [{ journeyId: journey.id, states }],
  };
  const view = traceView(trace, new Map([[journey.id, journey]]));
  return view.blocks[0]?.lines[0]?.text;
}

describe('journeys trace: the experiment behind a variant', () => {
  it('says the experiment is running before a decision', () => {
    expect(splitLine(running, '2026-03-02T10:00:00.000Z', 10)).toBe(
      'channel-test: variant sms (experiment running) → cart-sms',
    );
  });

  it('says a variant was drawn during the experiment when the enrollment began before its end', () => {
    expect(splitLine(decided, '2026-03-10T10:00:00.000Z', 10)).toBe(
      'channel-test: variant sms (drawn during the experiment; it ended Sun 15 Mar 00:00, winner push) → cart-sms',
    );
  });

  it('names the winner and why for an enrollment after the end', () => {
    expect(splitLine(decided, '2026-03-16T10:00:00.000Z', 60)).toBe(
      "channel-test: variant push (the experiment's winner since Sun 15 Mar 00:00: the window ended; push converts best) → cart-push",
    );
  });

  it('tells a holdout kept after the end apart from the winner', () => {
    expect(splitLine(decided, '2026-03-16T10:00:00.000Z', 95)).toBe(
      'channel-test: variant control (holdout) (kept after the experiment ended Sun 15 Mar 00:00, winner push) → not-ordered',
    );
  });

  it('names the winner for an enrollment after the end whose bucket drew another variant before it', () => {
    expect(splitLine(decided, '2026-03-16T10:00:00.000Z', 10)).toBe(
      "channel-test: variant push (the experiment's winner since Sun 15 Mar 00:00: the window ended; push converts best) → cart-push",
    );
  });

  it('adds nothing at a split without an experiment', () => {
    expect(splitLine([], '2026-03-02T10:00:00.000Z', 10)).toBe('channel-test: variant sms → cart-sms');
  });
});
