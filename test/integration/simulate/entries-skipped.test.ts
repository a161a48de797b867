import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Inputs, loadInputs } from '#infra/simulate/cli/inputs.ts';
import { forecastText } from '#infra/simulate/cli/text.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';

/**
 * A forecast whose customers' trigger events do not enter them (a cart under
 * the trigger's minimum, a test account the audience leaves out) says so, by
 * reason: every customer who sent the trigger is either enrolled or counted
 * there, rather than a forecast of "enrolled 0" with nothing to say why.
 */

const JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');
const JOURNEY = join(JOURNEYS, 'cart-abandonment.json');
const SCENARIO = join(JOURNEYS, 'simulations', 'cart-abandonment.json');
const CUSTOMERS = 30;
const WHERE = "the event does not match the trigger's where";
const AUDIENCE = "the customer is not in the journey's audience";

let inputs: Inputs;
beforeAll(async () => {
  const loaded = await loadInputs(JOURNEY, SCENARIO);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  inputs = loaded.inputs;
}, 120_000);

/** The scenario with every cart's total and every customer's testAccount trait as given. */
function withEntries(total: number, testAccount: boolean): Inputs['scenario'] {
  const { scenario } = inputs;
  return {
    ...scenario,
    customers: {
      ...scenario.customers,
      traits: { ...scenario.customers.traits, testAccount: { [String(testAccount)]: 1 } },
    },
    entry: { ...scenario.entry, properties: { ...scenario.entry.properties, total } },
  };
}

describe('simulate: trigger events that enter no one', () => {
  it.each([
    ['carts under the minimum total', 10, false, [[WHERE, CUSTOMERS]]],
    ['test accounts', 50, true, [[AUDIENCE, CUSTOMERS]]],
    ['carts that enter', 50, false, []],
  ])(
    '%s are counted by reason',
    async (_, total, testAccount, skipped) => {
      // act
      const forecast = await simulate({
        ...inputs,
        scenario: withEntries(total, testAccount),
        customers: CUSTOMERS,
        workers: 1,
      });
      // assert
      expect(forecast.skipped).toStrictEqual(skipped);
      const notEntered = forecast.skipped.reduce((n, [, c]) => n + c, 0);
      expect(forecast.enrolled + notEntered).toBe(CUSTOMERS);
    },
    120_000,
  );

  it('the text names the reason beside the enrollments', async () => {
    // act
    const forecast = await simulate({
      ...inputs,
      scenario: withEntries(10, false),
      customers: 5,
      workers: 1,
    });
    // assert
    expect(forecastText(forecast)).toMatch(
      /Entries skipped, by reason\n {2}the event does not match the trigger's where +5\n/,
    );
  }, 120_000);
});
