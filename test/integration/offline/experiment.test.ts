import { describe, expect, it } from 'vitest';
import { experimentStates } from '#shared/ingest/experiments.ts';
import { type LiveJourney, liveFields } from '#shared/ingest/live-journey.ts';
import { planEntry } from '#shared/ingest/plan.ts';
import { splitBucket } from '#shared/journey/enrollment.ts';
import { exampleJourneys } from '../../support/journeys.ts';
import { offlineJourney } from './harness.ts';

const found = exampleJourneys().find((j) => j.id === 'cart-abandonment');
if (found === undefined) throw new Error('the cart-abandonment example is missing');
const journey = found;
const cart = offlineJourney(journey);
const STEP = 'channel-test';
const DEPLOYED = '2026-11-01T00:00:00.000Z';

/** The live journey ingest reads, with its experiment running or decided for `winner`. */
function live(winner?: string): LiveJourney {
  const base = liveFields(journey);
  const states = experimentStates(journey, '1', DEPLOYED).map((s) =>
    winner === undefined ? s : { ...s, decision: { winner, at: '2026-11-15T00:00:00.000Z', reason: 'test' } },
  );
  const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:journey-cart-abandonment';
  return {
    ...base,
    version: '1',
    versionArn: `${arn}:1`,
    aliasArn: `${arn}:live`,
    stateMachineArn: arn,
    experiments: states,
  };
}

/** Customers whose own bucket falls in [from, to). */
function customers(from: number, to: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const bucket = splitBucket('cart-abandonment', STEP, `c${i}`);
    if (bucket >= from && bucket < to) out.push(`c${i}`);
  }
  return out;
}

/** Enrolls as ingest plans it, then runs the compiled journey offline with no order arriving. */
async function pathOf(userId: string, liveJourney: LiveJourney): Promise<string[]> {
  const plan = planEntry(liveJourney, {
    userId,
    triggerId: 't1',
    now: new Date('2026-11-20T10:00:00Z'),
    reentry: {},
  });
  if (plan === undefined) throw new Error('not enrolled');
  const outcome = await cart.run({ await: { 'wait-order': 'timeout' }, buckets: plan.buckets }, userId);
  expect(outcome.status).toBe('SUCCEEDED');
  return outcome.visited;
}

describe('an experiment that ended, run offline', () => {
  it.each(customers(0, 45, 3))(
    '%s, drawn for SMS, gets SMS while the experiment runs and push once push won',
    async (userId) => {
      // act
      const during = await pathOf(userId, live());
      const after = await pathOf(userId, live('push'));
      // assert
      expect(during).toContain('cart-sms');
      expect(after).toContain('cart-push');
      expect(after).not.toContain('cart-sms');
      // The same transitions up to the message: the winner is drawn at enrollment, the split is still one Choice.
      const split = during.indexOf('channel-test');
      expect(after.slice(0, split + 1)).toStrictEqual(during.slice(0, split + 1));
      expect(after[split + 1]).toBe('cart-push');
    },
  );

  it.each(customers(90, 100, 3))('%s, in the holdout, stays in it after the end', async (userId) => {
    // act
    const after = await pathOf(userId, live('push'));
    // assert
    expect(after).not.toContain('cart-push');
    expect(after).not.toContain('cart-sms');
    expect(after.at(-1)).toBe('not-ordered');
  });
});
