import { describe, expect, it } from 'vitest';
import { forecastPage } from '#infra/simulate/cli/html.ts';
import { forecastText } from '#infra/simulate/cli/text.ts';
import { forecastOf } from '#infra/simulate/run/forecast.ts';
import { Journey } from '#shared/journey/schema.ts';
import { NO_SPLIT } from '#shared/stats/format.ts';
import { reportHtml } from '#shared/stats/html.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';
import { totals } from '../../support/simulate-totals.ts';
import { htmlRows, type VariantRow as Row, textRows } from '../../support/variant-rows.ts';

/**
 * The same counters read by `journeys report` (text and page) and by
 * `journeys simulate` (text and page): each variant under the same name and
 * mark, with the same figures, whichever surface a marketer reads.
 */

const journey = Journey.parse({
  id: 'offer',
  name: 'Offer',
  trigger: { type: 'event', event: 'Signed Up' },
  goal: { event: 'Bought', within: 'P7D' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'email', weight: 45, next: 'done' },
        { name: 'sms', weight: 45, next: 'done' },
        { name: 'never', weight: 0, next: 'done' },
        { name: 'control', weight: 10, next: 'done', holdout: true },
      ],
    },
    done: { type: 'exit' },
  },
});

const v = (variant: string, metric: string, count: number): Counter => ({
  version: '1',
  stepId: 'ab',
  variant,
  metric,
  count,
});

const counters: Counter[] = [
  { version: '1', metric: 'enrolled', count: 2412 },
  { version: '1', metric: 'converted', count: 301 },
  v('email', 'assigned', 1087),
  v('email', 'converted', 152),
  v('sms', 'assigned', 1091),
  v('sms', 'converted', 121),
  v('control', 'assigned', 234),
  v('control', 'converted', 28),
];

const run = totals({
  customers: 2412,
  events: 2412,
  enrolled: 2412,
  sent: [],
  sentByDay: [],
  counters: counters.map(({ version: _, ...c }) => c),
  transitions: 0,
  executions: 2412,
  providers: { emails: 0, sms: 0, push: 0, events: 0 },
});

const REPORT = ['email', 'sms', 'never', 'control (holdout)'];
const SIMULATE = REPORT.map((l) => `ab / ${l}`);

describe('per-variant figures on every surface', () => {
  it('report and simulate print each variant with the same mark and figures, as text and as a page', () => {
    // arrange
    const report = buildReport(journey, counters, []);
    const forecast = forecastOf(run, journey);
    // act
    const surfaces = {
      reportText: textRows(reportText(report), REPORT),
      reportPage: htmlRows(reportHtml(report), REPORT),
      simulateText: textRows(forecastText(forecast), SIMULATE),
      simulatePage: htmlRows(forecastPage(forecast), SIMULATE),
    };
    // assert: every surface as the report's text, the holdout marked and the unassigned variant at 0
    const expected = [
      { label: 'email', assigned: '1,087', converted: '152', rate: '14.0%' },
      { label: 'sms', assigned: '1,091', converted: '121', rate: '11.1%' },
      { label: 'never', assigned: '0', converted: '0', rate: '—' },
      { label: 'control (holdout)', assigned: '234', converted: '28', rate: '12.0%' },
    ];
    const unlabelled = (rows: Row[]) => rows.map(({ label: _, ...figures }) => figures);
    for (const [surface, rows] of Object.entries(surfaces)) {
      expect({ surface, rows: unlabelled(rows) }).toStrictEqual({ surface, rows: unlabelled(expected) });
      expect({ surface, found: rows.map((r) => r.assigned !== '') }).toStrictEqual({
        surface,
        found: [true, true, true, true],
      });
    }
  });
});

describe('counts of a thousand or more', () => {
  it('every surface groups their digits, in the headline and in every table', () => {
    // arrange: 2412 enrolled, as the headline, the split's step and the outcome tables count them
    const report = buildReport(journey, counters, []);
    const forecast = forecastOf(run, journey);
    // act
    const surfaces = [reportText(report), reportHtml(report), forecastText(forecast), forecastPage(forecast)];
    // assert
    const ungrouped = /(?<![\d,.:-])\d{4,}(?![\d,.:-])/;
    const printed = (s: string) => s.replace(/<style>[\s\S]*?<\/style>|<[^>]*>/g, ' ');
    expect(surfaces.map((s) => [s.includes('2,412'), ungrouped.exec(printed(s))?.[0]])).toStrictEqual(
      surfaces.map(() => [true, undefined]),
    );
  });
});

describe('a journey without a split', () => {
  it('every surface says so in the same words, rather than leaving the variants out', () => {
    // arrange
    const plain = Journey.parse({
      id: 'plain',
      name: 'Plain',
      trigger: { type: 'event', event: 'Signed Up' },
      start: 'done',
      steps: { done: { type: 'exit' } },
    });
    const rows: Counter[] = [{ version: '1', metric: 'enrolled', count: 3 }];
    const report = buildReport(plain, rows, []);
    const forecast = forecastOf({ ...run, counters: [{ metric: 'enrolled', count: 3 }] }, plain);
    // act
    const surfaces = [reportText(report), reportHtml(report), forecastText(forecast), forecastPage(forecast)];
    // assert
    expect(surfaces.map((s) => s.includes(NO_SPLIT))).toStrictEqual([true, true, true, true]);
  });
});

describe('the test behind the lift and p-value', () => {
  it('the page names the test the text names: within each version once the split ran in several', () => {
    // arrange: the same split counted in versions 1 and 2
    const both = [...counters, ...counters.map((c) => ({ ...c, version: '2' }))];
    const report = buildReport(journey, both, []);
    // act
    const text = reportText(report);
    const page = reportHtml(report);
    // assert
    const named = 'Cochran–Mantel–Haenszel test vs holdout within each of 2 versions';
    expect([text.includes(named), page.includes(named)]).toStrictEqual([true, true]);
    expect(page).not.toContain('p (two-proportion z)');
  });
});
