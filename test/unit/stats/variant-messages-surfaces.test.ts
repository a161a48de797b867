import { describe, expect, it } from 'vitest';
import { forecastPage } from '#infra/simulate/cli/html.ts';
import { forecastText } from '#infra/simulate/cli/text.ts';
import { forecastOf } from '#infra/simulate/run/forecast.ts';
import { mergeTotals } from '#infra/simulate/run/totals.ts';
import { Journey } from '#shared/journey/schema.ts';
import { reportHtml } from '#shared/stats/html.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';
import { totals } from '../../support/simulate-totals.ts';

/**
 * `journeys simulate` shows messages per variant as `journeys report` does for the same counters:
 * the split's table (sent, per channel, failed, deferred by reason) and the line of the step the
 * variants share, as text and as a page, when the counters come from several threads.
 */

const journey = Journey.parse({
  id: 'rejoin',
  name: 'Rejoin',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: '__proto__', weight: 45, next: 'teaser' },
        { name: 'plain', weight: 45, next: 'offer' },
        { name: 'control', weight: 10, next: 'done', holdout: true },
      ],
    },
    teaser: {
      type: 'sms',
      template: 't',
      fallback: [{ channel: 'email', template: 'f', when: 'notDelivered', within: 'PT1H' }],
      next: 'offer',
    },
    offer: { type: 'email', template: 'o', next: 'done' },
    done: { type: 'exit' },
  },
});

const c = (metric: string, count: number, more: Partial<Counter> = {}): Counter => ({
  version: '1',
  metric,
  count,
  ...more,
});

/** Two threads' counters: each counts some of every kind, deferrals of two reasons at the shared step. */
const shards: Counter[][] = [
  [
    c('assigned', 6, { stepId: 'ab', variant: '__proto__' }),
    c('sent', 4, { stepId: 'teaser', variant: '__proto__' }),
    c('sent', 1, { stepId: 'teaser.fallback1', variant: '__proto__' }),
    c('sent', 3, { stepId: 'offer', variant: '__proto__' }),
    c('deferred', 2, { stepId: 'offer', variant: '__proto__', reason: 'frequencyCap' }),
  ],
  [
    c('assigned', 4, { stepId: 'ab', variant: 'plain' }),
    c('sent', 2, { stepId: 'offer', variant: '__proto__' }),
    c('deferred', 1, { stepId: 'offer', variant: '__proto__', reason: 'quietHours' }),
    c('failed', 1, { stepId: 'offer', variant: 'plain' }),
    c('sent', 3, { stepId: 'offer', variant: 'plain' }),
    c('deferred', 2, { stepId: 'offer', variant: 'plain', reason: 'quietHours' }),
    c('deferred', 1, { stepId: 'offer', variant: 'plain', reason: 'frequencyCap' }),
  ],
];

/** The lines from the split's "Messages per variant" title to the end of its table. */
function textTable(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf('Messages per variant of "ab"');
  return lines.slice(start, start + 5);
}

const stepLine = (text: string) => /by variant of "ab": .*/.exec(text)?.[0];
const tables = (html: string) =>
  html.match(/<table class="variants" data-(step-)?messages=[\s\S]*?<\/table>/g);

describe('messages per variant on every surface', () => {
  it('simulate prints the figures, names and layout of journeys report, from counters of several threads', () => {
    // arrange
    const report = buildReport(journey, shards.flat(), []);
    const run = (counters: Counter[]) =>
      totals({ counters: counters.map(({ version: _, ...counter }) => counter) });
    const forecast = forecastOf(mergeTotals(shards.map(run)), journey);
    // act
    const text = { report: reportText(report), forecast: forecastText(forecast) };
    const page = { report: reportHtml(report), forecast: forecastPage(forecast) };
    // assert: the report's own figures, each reason apart, per channel with the fallback's email
    expect(textTable(text.report)).toStrictEqual([
      'Messages per variant of "ab"',
      '  variant               sent  email    sms   push  failed  deferred',
      '  __proto__               10      6      4      0       0  quiet hours 1, frequency cap 2',
      '  plain                    3      3      0      0       1  quiet hours 2, frequency cap 1',
      '  control (holdout)        0      0      0      0       0  —',
    ]);
    expect(textTable(text.forecast)).toStrictEqual(textTable(text.report));
    expect(stepLine(text.forecast)).toBe(stepLine(text.report));
    expect(stepLine(text.report)).toBe(
      'by variant of "ab": __proto__ sent 5, failed 0, deferred 3 (quiet hours 1, frequency cap 2); plain sent 3, failed 1, deferred 3 (quiet hours 2, frequency cap 1)',
    );
    expect(tables(page.forecast)).toStrictEqual(tables(page.report));
    expect(tables(page.report)?.length).toBe(2);
    // the JSON holds the same rows
    const json = JSON.parse(JSON.stringify(forecast));
    expect(json.variantMessages[0].variants[0]).toStrictEqual({
      variant: '__proto__',
      messages: {
        sent: 10,
        channels: { email: 6, sms: 4, push: 0 },
        failed: 0,
        deferred: { quietHours: 1, frequencyCap: 2 },
      },
    });
    expect(json.variantMessages[0].steps.map((s: { step: string }) => s.step)).toStrictEqual(['offer']);
  });

  it('simulate says nothing per variant when no send was counted per variant, as the report', () => {
    const forecast = forecastOf(
      totals({ counters: [{ metric: 'assigned', stepId: 'ab', variant: 'plain', count: 1 }] }),
      journey,
    );
    expect(forecast.variantMessages).toStrictEqual([]);
    expect(forecastText(forecast)).not.toContain('per variant of');
    expect(forecastPage(forecast)).not.toContain('Messages per variant');
  });
});
