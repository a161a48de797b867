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

let inputs: Inputs;
beforeAll(async () => {
  const loaded = await loadInputs(
    join(JOURNEYS, 'cart-abandonment.json'),
    join(JOURNEYS, 'simulations', 'cart-abandonment.json'),
  );
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  inputs = loaded.inputs;
});

describe('journeys simulate on worker threads', () => {
  it('forecasts exactly what one thread forecasts, for 2 and 3 workers', async () => {
    // act
    const one = await simulate({ ...inputs, customers: 300, workers: 1 });
    const two = await simulate({ ...inputs, customers: 300, workers: 2 });
    const three = await simulate({ ...inputs, customers: 300, workers: 3 });
    // assert
    expect(one.enrolled).toBeGreaterThan(250);
    expect(one.variants.length).toBe(3);
    expect(one.deferred.length).toBeGreaterThan(0);
    expect(two).toEqual(one);
    expect(three).toEqual(one);
  }, 180_000);

  it('reports the progress of every shard together', async () => {
    // arrange
    let entered = 0;
    // act
    await simulate({
      ...inputs,
      customers: 40,
      workers: 2,
      progress: (n) => {
        entered = n;
      },
    });
    // assert
    expect(entered).toBe(40);
  }, 120_000);

  it('runs a traced simulation in one thread only', async () => {
    // act
    const traced = simulate({ ...inputs, customers: 10, workers: 2, trace: {} });
    // assert
    await expect(traced).rejects.toThrow('A traced simulation runs in one thread');
  });
});
