import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Inputs, loadInputs } from '#infra/simulate/cli/inputs.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';

/**
 * Customers split across worker threads add up to the same forecast as one
 * thread running all of them: every count per channel, day and local hour,
 * deferrals and suppressions, conversions per variant, outcomes,
 * transitions, DynamoDB units and the bill.
 */

const JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');
/**
 * Eighty customers of seed 17 give every figure of the forecast that 300 of
 * the scenario's own seed give (each reason of deferral and suppression, each
 * variant, bounces and undelivered SMS among them), for about a third of the CPU.
 */
const CUSTOMERS = 80;
const SEED = 17;

let inputs: Inputs;
let one: Awaited<ReturnType<typeof simulate>>;
let two: Awaited<ReturnType<typeof simulate>>;
/** What the 2-worker run reported as customers entered, last. */
let entered = 0;

beforeAll(async () => {
  const loaded = await loadInputs(
    join(JOURNEYS, 'cart-abandonment.json'),
    join(JOURNEYS, 'simulations', 'cart-abandonment.json'),
  );
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  inputs = { ...loaded.inputs, scenario: { ...loaded.inputs.scenario, seed: SEED } };
  // act: each worker thread loads the simulation anew (a second of CPU and more), so the runs are shared by
  // the tests. Two shards merge as any number does: shard totals are folded one after another (setup taken
  // from the first), and every shard past the first takes the same path through the fold.
  one = await simulate({ ...inputs, customers: CUSTOMERS, workers: 1 });
  two = await simulate({
    ...inputs,
    customers: CUSTOMERS,
    workers: 2,
    progress: (n) => {
      entered = n;
    },
  });
}, 180_000);

describe('journeys simulate on worker threads', () => {
  it('forecasts exactly what one thread forecasts, for 2 workers', () => {
    // assert
    expect(one.enrolled).toBeGreaterThan(CUSTOMERS * 0.8);
    expect(one.variants.length).toBe(3);
    expect(one.deferred.length).toBe(3);
    expect(one.suppressed.length).toBe(6);
    expect([one.feedback.email.bounced, one.feedback.sms.undelivered]).not.toContain(0);
    expect(two).toEqual(one);
  });

  it('reports the progress of every shard together', () => {
    // assert: the 2-worker run above told every customer of every shard
    expect(entered).toBe(CUSTOMERS);
  });

  it('runs a traced simulation in one thread only', async () => {
    // act
    const traced = simulate({ ...inputs, customers: 10, workers: 2, trace: {} });
    // assert
    await expect(traced).rejects.toThrow('A traced simulation runs in one thread');
  });
});
