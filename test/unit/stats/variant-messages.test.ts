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

/** Variants whose branches rejoin at a shared message, after a message of one variant's own. */
const journey = Journey.parse({
  id: 'rejoin',
  name: 'Rejoin',
  trigger: { type: 'event', event: 'Signed Up' },
  reentry: { mode: 'once' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: '__proto__', weight: 50, next: 'teaser' },
        { name: 'plain', weight: 50, next: 'offer' },
      ],
    },
    teaser: { type: 'sms', template: 't', next: 'offer' },
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

const counters: Counter[] = [
  c('enrolled', 10),
  c('assigned', 6, { stepId: 'ab', variant: '__proto__' }),
  c('assigned', 4, { stepId: 'ab', variant: 'plain' }),
  // the variant's own step
  c('sent', 5, { stepId: 'teaser' }),
  c('failed', 1, { stepId: 'teaser' }),
  c('sent', 5, { stepId: 'teaser', variant: '__proto__' }),
  c('failed', 1, { stepId: 'teaser', variant: '__proto__' }),
  // the shared step
  c('sent', 9, { stepId: 'offer' }),
  c('deferred', 3, { stepId: 'offer', reason: 'quietHours' }),
  c('sent', 6, { stepId: 'offer', variant: '__proto__' }),
  c('deferred', 1, { stepId: 'offer', variant: '__proto__', reason: 'quietHours' }),
  c('sent', 3, { stepId: 'offer', variant: 'plain' }),
  c('deferred', 2, { stepId: 'offer', variant: 'plain', reason: 'quietHours' }),
];

describe('messages per variant', () => {
  it('shows sent, failed and deferred by reason per variant, for the journey and at a step the variants share', () => {
    // act
    const report = buildReport(journey, counters, []);
    // assert: the journey's figures per variant add up every message step after the split
    const variants = report.splits[0]?.variants ?? [];
    expect(variants.map((v) => [v.name, v.messages])).toEqual([
      [
        '__proto__',
        { sent: 11, channels: { email: 6, sms: 5, push: 0 }, failed: 1, deferred: { quietHours: 1 } },
      ],
      ['plain', { sent: 3, channels: { email: 3, sms: 0, push: 0 }, failed: 0, deferred: { quietHours: 2 } }],
    ]);
    const step = (id: string) => report.steps.find((s) => s.stepId === id);
    expect(step('offer')?.variants).toEqual({
      split: 'ab',
      messages: [
        {
          variant: '__proto__',
          sent: 6,
          channels: { email: 6, sms: 0, push: 0 },
          failed: 0,
          deferred: { quietHours: 1 },
        },
        {
          variant: 'plain',
          sent: 3,
          channels: { email: 3, sms: 0, push: 0 },
          failed: 0,
          deferred: { quietHours: 2 },
        },
      ],
    });
    // a step of one variant's own says nothing more per variant
    expect(step('teaser')?.variants).toBeUndefined();
    // the step's own figures are as before: per-variant counts are not added in again
    expect(step('offer')?.counts.sent).toBe(9);
    expect(step('offer')?.reasons).toEqual([{ metric: 'deferred', reason: 'quietHours', count: 3 }]);
    const text = reportText(report);
    expect(text).toContain('Messages per variant of "ab"');
    expect(text).toMatch(/__proto__\s+11\s+6\s+5\s+0\s+1\s+quiet hours 1/);
    expect(text).toMatch(/by variant of "ab": __proto__ sent 6, failed 0, deferred 1 \(quiet hours 1\)/);
    expect(reportHtml(report)).toContain('Messages per variant');
  });

  it('says nothing per variant for a journey whose sends were counted before variants were', () => {
    const before = counters.filter((x) => x.variant === undefined || x.metric === 'assigned');
    const report = buildReport(journey, before, []);
    expect(report.splits[0]?.variants.map((v) => v.messages)).toEqual([undefined, undefined]);
    expect(report.steps.find((s) => s.stepId === 'offer')?.variants).toBeUndefined();
    expect(reportText(report)).not.toContain('per variant');
  });
});

/**
 * `journeys simulate` shows messages per variant as `journeys report` does for the same counters:
 * the split's table (sent, per channel, failed, deferred by reason) and the line of the step the
 * variants share, as text and as a page, when the counters come from several threads.
 */

const withFallback = Journey.parse({
  id: 'rejoin-fallback',
  name: 'Rejoin after a fallback',
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
    const report = buildReport(withFallback, shards.flat(), []);
    const run = (counters: Counter[]) =>
      totals({ counters: counters.map(({ version: _, ...counter }) => counter) });
    const forecast = forecastOf(mergeTotals(shards.map(run)), withFallback);
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
      withFallback,
    );
    expect(forecast.variantMessages).toStrictEqual([]);
    expect(forecastText(forecast)).not.toContain('per variant of');
    expect(forecastPage(forecast)).not.toContain('Messages per variant');
  });
});
