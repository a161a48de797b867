import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Inputs, loadInputs } from '#infra/simulate/cli/inputs.ts';
import type { Forecast } from '#infra/simulate/run/forecast.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';

const JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');
const JOURNEY = join(JOURNEYS, 'cart-abandonment.json');
const SCENARIO = join(JOURNEYS, 'simulations', 'cart-abandonment.json');

/**
 * Customers of the forecast most tests read: sixty of the scenario's seed convert with orders of several
 * values in more than one variant, and meet the journey's quiet hours.
 */
const CUSTOMERS = 60;

let inputs: Inputs;
let forecast: Forecast;
beforeAll(async () => {
  const loaded = await loadInputs(JOURNEY, SCENARIO);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  inputs = loaded.inputs;
  forecast = await simulate({ ...inputs, customers: CUSTOMERS });
}, 120_000);

/**
 * Customers of the delivery-feedback comparisons: sixty of the scenario's seed get 9 SMS (9 fallback
 * emails when none is delivered) and lose 11 later emails to hard bounces, margins enough for the
 * comparisons below; more customers would only repeat the same paths.
 */
const FEEDBACK_CUSTOMERS = 60;

/** Every SMS delivered and no email bounced: the baseline two tests compare with, simulated once (it repeats exactly). */
let baseline: Promise<Forecast> | undefined;
function deliveredForecast(): Promise<Forecast> {
  const delivered = { ...inputs.scenario, messages: { email: { bounced: 0 }, sms: { undelivered: 0 } } };
  baseline ??= simulate({ ...inputs, scenario: delivered, customers: FEEDBACK_CUSTOMERS, workers: 1 });
  return baseline;
}

describe('journeys simulate', () => {
  it('repeats exactly for the same scenario and seed', async () => {
    // act
    const again = await simulate({ ...inputs, customers: CUSTOMERS });
    // assert
    expect(again).toEqual(forecast);
  }, 120_000);

  it('forecasts the revenue of the orders the scenario places, from the goal value they carry', () => {
    // assert: each order carries its cart total (15 to 180), as the goal's `value` reads it
    expect(forecast.converted).toBeGreaterThan(0);
    expect(forecast.revenue).toBeGreaterThanOrEqual(15 * forecast.converted);
    expect(forecast.revenue).toBeLessThanOrEqual(180 * forecast.converted);
    expect(forecast.aov).toBeCloseTo((forecast.revenue ?? 0) / forecast.converted, 1);
    const byVariant = forecast.variants.reduce((sum, v) => sum + (v.revenue ?? 0), 0);
    expect(byVariant).toBeGreaterThan(0);
    expect(byVariant).toBeLessThanOrEqual((forecast.revenue ?? 0) + 0.01);
  });

  it("sends nothing in the journey's quiet hours of each customer's own time zone", () => {
    // assert: cart-abandonment is quiet from 21:00 to 08:00
    for (const channel of ['email', 'sms', 'push'] as const) {
      const hours = forecast.byLocalHour[channel];
      const quiet = [21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 7].map((h) => hours[h] ?? 0);
      expect(quiet).toEqual(new Array(11).fill(0));
    }
    expect(forecast.deferred.some(([reason]) => reason.includes('quiet hours'))).toBe(true);
  });

  it('counts every enrollment once, and every message an execution attempted', () => {
    // assert
    const ended = forecast.outcomes.reduce((n, [, c]) => n + c, 0);
    expect(forecast.enrolled).toBe(forecast.executions);
    expect(ended).toBe(forecast.enrolled);
    const sent = forecast.messages.sent;
    expect(sent.email + sent.sms + sent.push).toBeGreaterThan(0);
    expect(forecast.cost.find((c) => c.item === 'SES emails')?.quantity).toBe(sent.email);
  });

  it('refuses a scenario whose entry event does not trigger the journey, naming the file and field', async () => {
    // arrange
    const dir = await mkdtemp(join(tmpdir(), 'simulate-'));
    const file = join(dir, 'wrong.json');
    await writeFile(
      file,
      JSON.stringify({ customers: { timezones: { 'Europe/Rome': 1 } }, entry: { event: 'Signed Up' } }),
    );
    // act
    const loaded = await loadInputs(JOURNEY, file);
    // assert
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.problems).toEqual([
      `${file}:1:55: entry.event: "Signed Up" does not trigger cart-abandonment (it starts on "Cart Updated")`,
    ]);
  });

  it('refuses a behaviour event the journey never reads, which would forecast nothing', async () => {
    // arrange: the goal misspelt, and an event a condition or wait does read
    const dir = await mkdtemp(join(tmpdir(), 'simulate-'));
    const file = join(dir, 'typo.json');
    await writeFile(
      file,
      JSON.stringify({
        customers: { timezones: { 'Europe/Rome': 1 } },
        entry: { event: 'Cart Updated' },
        behaviour: [
          { event: 'Order Complete', probability: 0.3, within: 'P2D' },
          { event: 'Order Completed', probability: 0.3, within: 'P2D' },
          { event: 'Cart Emptied', probability: 0.1, within: 'P1D' },
        ],
      }),
    );
    // act
    const loaded = await loadInputs(JOURNEY, file);
    // assert
    expect(loaded.ok ? [] : loaded.problems).toEqual([
      expect.stringContaining(
        `${file}:1:93: behaviour[0].event: "Order Complete" is an event cart-abandonment never reads`,
      ),
    ]);
  });

  it('refuses a trait or property named __proto__ instead of dropping it, naming the file and field', async () => {
    // arrange: written as JSON text, where "__proto__" is an ordinary key
    const dir = await mkdtemp(join(tmpdir(), 'simulate-'));
    const file = join(dir, 'proto.json');
    await writeFile(
      file,
      '{"customers":{"timezones":{"Europe/Rome":1},"traits":{"__proto__":{"\\"gold\\"":1}}},"entry":{"event":"Cart Updated"}}',
    );
    // act
    const loaded = await loadInputs(JOURNEY, file);
    // assert
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.problems).toEqual([
      `${file}:1:55: customers.traits.__proto__: "__proto__" cannot be a key: JavaScript reserves it, and it would be dropped.`,
    ]);
  });

  it('falls back from an SMS the carrier reports undelivered, and counts what providers report', async () => {
    // arrange: the same customers with every SMS delivered, then with none delivered
    const lost = { ...inputs.scenario, messages: { email: { bounced: 0 }, sms: { undelivered: 1 } } };
    // act
    const before = await deliveredForecast();
    const after = await simulate({ ...inputs, scenario: lost, customers: FEEDBACK_CUSTOMERS, workers: 1 });
    // assert: the journey's SMS → email fallback (notDelivered within PT1H) sends more email
    expect(before.feedback.sms).toEqual({ delivered: before.messages.sent.sms, undelivered: 0 });
    expect(after.messages.sent.sms).toBe(before.messages.sent.sms);
    expect(after.feedback.sms).toEqual({ delivered: 0, undelivered: after.messages.sent.sms });
    expect(after.messages.sent.email).toBeGreaterThan(before.messages.sent.email);
    expect(after.messages.sent.email - before.messages.sent.email).toBeLessThanOrEqual(
      after.messages.sent.sms,
    );
    expect(after.feedback.email.delivered).toBe(after.messages.sent.email);
  }, 120_000);

  it('suppresses email for a customer whose email bounced, as delivery feedback does', async () => {
    // arrange
    const bouncing = { ...inputs.scenario, messages: { email: { bounced: 1 }, sms: { undelivered: 0 } } };
    // act
    const clean = await deliveredForecast();
    const bounced = await simulate({
      ...inputs,
      scenario: bouncing,
      customers: FEEDBACK_CUSTOMERS,
      workers: 1,
    });
    // assert: every email sent bounced, and later ones were not sent because of it
    expect(bounced.feedback.email).toEqual({
      delivered: 0,
      bounced: bounced.messages.sent.email,
      opened: 0,
      clicked: 0,
      complained: 0,
    });
    expect(bounced.messages.sent.email).toBeLessThan(clean.messages.sent.email);
    expect(bounced.suppressed.some(([reason]) => /bounce/i.test(reason))).toBe(true);
  }, 120_000);
});
