import { describe, expect, it } from 'vitest';
import { forecastPage } from '#infra/simulate/cli/html.ts';
import { forecastText } from '#infra/simulate/cli/text.ts';
import { forecastOf } from '#infra/simulate/run/forecast.ts';
import { LAMBDA_PROFILE, PRICES } from '#infra/simulate/run/prices.ts';
import { mergeTotals } from '#infra/simulate/run/totals.ts';
import { Journey } from '#shared/journey/schema.ts';
import { totals } from '../../support/simulate-totals.ts';

const journey = Journey.parse({
  id: 'bill',
  name: 'Bill',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'hello',
  steps: { hello: { type: 'email', template: 't', next: 'done' }, done: { type: 'exit' } },
});

describe('forecastOf', () => {
  it('bills every Lambda function the run called, delivery feedback included', () => {
    // arrange: 10 events, 10 sends, 10 ends, and 25 provider reports handled by delivery-feedback
    const run = totals({
      invocations: [
        ['ingest', 10],
        ['send-message', 10],
        ['execution-status', 10],
        ['delivery-feedback', 25],
        // A state machine's putEvents is not a Lambda call.
        ['events', 3],
      ],
    });
    // act
    const forecast = forecastOf(run, journey);
    // assert
    const line = (item: string) => forecast.cost.find((c) => c.item === item);
    expect(line('Lambda requests')).toMatchObject({ quantity: 55, usd: 55 * PRICES.lambdaPerRequest });
    expect(line('Lambda GB-seconds')?.quantity).toBeCloseTo(
      55 * LAMBDA_PROFILE.memoryGb * (LAMBDA_PROFILE.averageMs / 1000),
    );
  });

  it("tells the journey's conversions, also without a split and after the enrollment ended", () => {
    // arrange: 10 enrolled; 4 converted, only 1 of them while its enrollment ran (the goal stopped it)
    const run = totals({
      counters: [
        { metric: 'enrolled', count: 10 },
        { metric: 'converted', count: 4 },
        { metric: 'converted', stepId: 'hello', count: 4 },
        { metric: 'ended:completed', count: 9 },
        { metric: 'ended:goal', count: 1 },
      ],
    });
    // act
    const forecast = forecastOf(run, journey);
    // assert: the conversions are the journey's, counted once (not once more for the message step)
    expect(forecast.converted).toBe(4);
    expect(forecastText(forecast)).toMatch(/\n {2}converted +4 +40\.0%\n/);
  });

  it("lists a split's variants only, not a message step's sends counted per variant", () => {
    // arrange: a split whose variants both reach the email, which counts its sends per variant
    const shared = Journey.parse({
      id: 'shared',
      name: 'Shared',
      trigger: { type: 'event', event: 'Signed Up' },
      start: 'ab',
      steps: {
        ab: {
          type: 'split',
          variants: [
            { name: 'a', weight: 50, next: 'hello' },
            { name: 'b', weight: 50, next: 'hello' },
          ],
        },
        hello: { type: 'email', template: 't', next: 'done' },
        done: { type: 'exit' },
      },
    });
    const run = totals({
      counters: [
        { metric: 'enrolled', count: 4 },
        { metric: 'assigned', stepId: 'ab', variant: 'a', count: 3 },
        { metric: 'assigned', stepId: 'ab', variant: 'b', count: 1 },
        { metric: 'sent', stepId: 'hello', count: 4 },
        { metric: 'sent', stepId: 'hello', variant: 'a', count: 3 },
        { metric: 'sent', stepId: 'hello', variant: 'b', count: 1 },
      ],
    });
    // act
    const forecast = forecastOf(run, shared);
    // assert
    expect(forecast.variants.map((v) => [v.step, v.variant, v.assigned])).toStrictEqual([
      ['ab', 'a', 3],
      ['ab', 'b', 1],
    ]);
  });

  it('says "none" on the page where the text does, instead of a table with no rows', () => {
    // arrange: nothing deferred, nothing suppressed, no split
    const forecast = forecastOf(totals({}), journey);
    // act
    const text = forecastText(forecast);
    const page = forecastPage(forecast);
    // assert
    expect(text).toMatch(/Deferred \(tried again later\), by reason\n {2}none/);
    expect(text).toContain('This journey has no split.');
    expect(page).toMatch(/<h2>Deferred, by reason<\/h2>\n<p>none<\/p>/);
    expect(page).toMatch(/<h2>Not sent, by reason<\/h2>\n<p>none<\/p>/);
    expect(page).toMatch(/<h2>Conversions per variant<\/h2>\n<p>This journey has no split\.<\/p>/);
    expect(page).not.toMatch(/<tbody><\/tbody>/);
  });

  it('shows a cost under a cent on the page as the text does, not as $0.00', () => {
    // arrange: ten customers, ten emails: a fraction of a cent
    const forecast = forecastOf(totals({}), journey);
    const total = forecast.cost.reduce((sum, c) => sum + c.usd, 0);
    // act
    const text = forecastText(forecast);
    const page = forecastPage(forecast);
    // assert: one figure everywhere, with the digits that make it more than nothing
    const shown = `$${total.toFixed(4)}`;
    expect(total).toBeLessThan(0.01);
    expect(text).toMatch(new RegExp(`total +\\${shown}`));
    expect(page).toContain(`AWS cost<b>${shown}</b>`);
    expect(page).toContain(`<td>total</td><td class="n"></td><td class="n"></td><td class="n">${shown}</td>`);
  });

  it('shows sends of unknown outcome and failed sends on the page as in the text', () => {
    // arrange
    const forecast = forecastOf(
      totals({ failures: 2, unknown: [['email: outcome unknown: socket hang up', 3]] }),
      journey,
    );
    // act
    const text = forecastText(forecast);
    const page = forecastPage(forecast);
    // assert
    expect(text).toContain('email: outcome unknown: socket hang up  3');
    expect(text).toContain('failed sends: 2');
    expect(page).toContain('<td>email: outcome unknown: socket hang up</td><td class="n">3</td>');
    expect(page).toMatch(/Failed sends<b>2<\/b>/);
  });

  it('shows every variant of the journey, one nobody drew with 0 and no rate, as the report does', () => {
    // arrange: a split whose holdout drew no one (weight 0) and a third variant no counter names
    const split = Journey.parse({
      id: 'ab',
      name: 'AB',
      trigger: { type: 'event', event: 'Signed Up' },
      goal: { event: 'Order Completed', within: 'P7D' },
      start: 'pick',
      steps: {
        pick: {
          type: 'split',
          variants: [
            { name: 'a', weight: 100, next: 'hello' },
            { name: 'b', weight: 0, next: 'hello' },
            { name: 'control', weight: 0, next: 'done', holdout: true },
          ],
        },
        hello: { type: 'email', template: 't', next: 'done' },
        done: { type: 'exit' },
      },
    });
    const run = totals({
      counters: [
        { metric: 'assigned', stepId: 'pick', variant: 'a', count: 10 },
        { metric: 'converted', stepId: 'pick', variant: 'a', count: 3 },
      ],
    });
    // act
    const forecast = forecastOf(run, split);
    const text = forecastText(forecast);
    const page = forecastPage(forecast);
    // assert: declared order, zeros where nobody was drawn, and "—" where there is no rate
    expect(forecast.variants.map((v) => [v.variant, v.enrolled, v.converted, v.rate])).toEqual([
      ['a', 10, 3, 0.3],
      ['b', 0, 0, undefined],
      ['control', 0, 0, undefined],
    ]);
    expect(text).toMatch(/\n {2}pick \/ a +10 +3 +30\.0%\n/);
    expect(text).toMatch(/\n {2}pick \/ control \(holdout\) +0 +0 +—\n/);
    expect(page).toContain(
      '<td>pick / control (holdout)</td><td class="n">0</td><td class="n">0</td><td class="n">—</td>',
    );
    // one word for the number, as `journeys report` says it: in the text, on the page and in the JSON
    expect(text).toMatch(/\n {2}split \/ variant +assigned +converted +rate\n/);
    expect(page).toContain('<th>variant</th><th class="n">assigned</th>');
    expect(JSON.parse(JSON.stringify(forecast)).variants[0]).toMatchObject({ assigned: 10, enrolled: 10 });
  });

  it('keeps every day in its place in the text, the JSON and the page, a day with no send as 0', () => {
    // arrange: sends on Monday and Thursday only
    const run = totals({
      sent: [['email', 14]],
      sentByDay: [
        ['2026-03-02', 'email', 10],
        ['2026-03-05', 'email', 4],
      ],
    });
    // act
    const forecast = forecastOf(run, journey);
    const text = forecastText(forecast);
    const page = forecastPage(forecast);
    // assert: the two days between are there, with nothing sent, in both
    expect(text).toMatch(
      /\n {2}2026-03-02 +10 +0 +0\n {2}2026-03-03 +0 +0 +0\n {2}2026-03-04 +0 +0 +0\n {2}2026-03-05 +4 +0 +0\n/,
    );
    for (const day of ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'])
      expect(page).toContain(`data-day="${day}"`);
    expect(JSON.parse(JSON.stringify(forecast)).byDay).toStrictEqual([
      { day: '2026-03-02', email: 10, sms: 0, push: 0 },
      { day: '2026-03-03', email: 0, sms: 0, push: 0 },
      { day: '2026-03-04', email: 0, sms: 0, push: 0 },
      { day: '2026-03-05', email: 4, sms: 0, push: 0 },
    ]);
  });

  it('says conversions are not measured for a journey with no goal, in the text, the JSON and the page', () => {
    // arrange: the bill journey has no goal
    const forecast = forecastOf(totals({ counters: [{ metric: 'enrolled', count: 10 }] }), journey);
    // act
    const text = forecastText(forecast);
    const page = forecastPage(forecast);
    // assert
    expect(forecast.goal).toBe(false);
    expect(JSON.parse(JSON.stringify(forecast))).toMatchObject({ goal: false });
    expect(text).toContain('no goal: conversions are not measured');
    expect(text).not.toMatch(/converted +0/);
    expect(page).toContain('no goal: conversions are not measured');
    expect(page).not.toMatch(/converted<b>0<\/b>/);
  });

  it('forecasts revenue and average order value from a valued goal, per variant, in the text, the JSON and the page', () => {
    // arrange: a goal whose event carries its value; two shards of customers, as workers run them
    const valued = Journey.parse({
      id: 'ab',
      name: 'AB',
      trigger: { type: 'event', event: 'Cart Updated' },
      goal: { event: 'Order Completed', within: 'P7D', value: 'event.properties.total' },
      start: 'pick',
      steps: {
        pick: {
          type: 'split',
          variants: [
            { name: 'a', weight: 50, next: 'hello' },
            { name: 'b', weight: 50, next: 'hello' },
          ],
        },
        hello: { type: 'email', template: 't', next: 'done' },
        done: { type: 'exit' },
      },
    });
    const shard = (sumA: number, sumB: number) =>
      totals({
        counters: [
          { metric: 'converted', count: 3, sum: sumA + sumB, valued: 3 },
          { metric: 'assigned', stepId: 'pick', variant: 'a', count: 5 },
          { metric: 'converted', stepId: 'pick', variant: 'a', count: 2, sum: sumA, valued: 2 },
          { metric: 'assigned', stepId: 'pick', variant: 'b', count: 5 },
          { metric: 'converted', stepId: 'pick', variant: 'b', count: 1, sum: sumB, valued: 1 },
        ],
      });
    // act
    const forecast = forecastOf(mergeTotals([shard(30.1, 17.96), shard(41.9, 10)]), valued);
    const text = forecastText(forecast);
    const page = forecastPage(forecast);
    const json = JSON.parse(JSON.stringify(forecast));
    // assert: 6 orders worth 99.96 in all; a: 4 worth 72.00, b: 2 worth 27.96
    expect(json).toMatchObject({ converted: 6, revenue: 99.96, aov: 16.66 });
    expect(json.variants).toMatchObject([
      { variant: 'a', converted: 4, revenue: 72, aov: 18 },
      { variant: 'b', converted: 2, revenue: 27.96, aov: 13.98 },
    ]);
    expect(text).toMatch(/\n {2}revenue +99\.96\n {2}average order value +16\.66\n/);
    expect(text).toMatch(/\n {2}split \/ variant +assigned +converted +rate +revenue +AOV\n/);
    expect(text).toMatch(/\n {2}pick \/ a +10 +4 +40\.0% +72\.00 +18\.00\n/);
    expect(page).toContain('revenue<b>99.96</b>');
    expect(page).toContain('average order value<b>16.66</b>');
    expect(page).toContain(
      '<td>pick / b</td><td class="n">10</td><td class="n">2</td><td class="n">20.0%</td><td class="n">27.96</td><td class="n">13.98</td>',
    );
  });

  it('shows no revenue for a goal without a value, as the report does', () => {
    // arrange: a goal that counts orders, not what they are worth
    const counted = Journey.parse({
      id: 'bill',
      name: 'Bill',
      trigger: { type: 'event', event: 'Signed Up' },
      goal: { event: 'Order Completed', within: 'P7D' },
      start: 'done',
      steps: { done: { type: 'exit' } },
    });
    // act
    const forecast = forecastOf(totals({ counters: [{ metric: 'converted', count: 2 }] }), counted);
    // assert
    expect(forecast).not.toHaveProperty('revenue');
    expect(forecastText(forecast)).not.toContain('revenue');
    expect(forecastPage(forecast)).not.toContain('revenue<b>');
  });
});
