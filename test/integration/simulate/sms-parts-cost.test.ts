import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Inputs, loadInputs } from '#infra/simulate/cli/inputs.ts';
import type { Forecast } from '#infra/simulate/run/forecast.ts';
import { PRICES } from '#infra/simulate/run/prices.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';

/**
 * End User Messaging bills an SMS per part: 160 GSM-7 characters fit in one
 * (153 per part beyond), 70 UCS-2 code units once one character is outside
 * GSM-7, such as an emoji (67 per part beyond). The forecast's cost counts
 * the parts each SMS goes out in, at the price per part it prints.
 */

const JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');
const JOURNEY = join(JOURNEYS, 'cart-abandonment.json');
const SCENARIO = join(JOURNEYS, 'simulations', 'cart-abandonment.json');
/** Enough of the scenario's customers to be sent a few SMS. */
const CUSTOMERS = 40;

let inputs: Inputs;
beforeAll(async () => {
  const loaded = await loadInputs(JOURNEY, SCENARIO);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  inputs = loaded.inputs;
}, 120_000);

/** The forecast with the journey's SMS text set to `body`, and its SMS cost line. */
async function withSms(body: string): Promise<{ forecast: Forecast; line: Forecast['cost'][number] }> {
  const templates = new Map(inputs.templates);
  templates.set('cart-sms', { channel: 'sms', body });
  const forecast = await simulate({ ...inputs, templates, customers: CUSTOMERS, workers: 1 });
  const line = forecast.cost.find((c) => c.item.startsWith('SMS'));
  if (line === undefined) throw new Error('no SMS line in the cost');
  return { forecast, line };
}

describe('simulate: the cost of SMS', () => {
  it.each([
    ['160 GSM-7 characters: one part', 'a'.repeat(160), 1],
    ['161 GSM-7 characters: two parts', 'a'.repeat(161), 2],
    ['an emoji and 68 more: 70 code units, one part', `🛒${'a'.repeat(68)}`, 1],
    ['an emoji and 69 more: 71 code units, two parts', `🛒${'a'.repeat(69)}`, 2],
  ])(
    '%s',
    async (_, body, parts) => {
      // act
      const { forecast, line } = await withSms(body);
      // assert
      const sent = forecast.messages.sent.sms;
      expect(sent).toBeGreaterThan(0);
      expect({ quantity: line.quantity, unitPrice: line.unitPrice }).toStrictEqual({
        quantity: sent * parts,
        unitPrice: PRICES.smsPerPart,
      });
      expect(line.usd).toBeCloseTo(sent * parts * PRICES.smsPerPart, 10);
    },
    120_000,
  );
});
