import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { reportBody } from '#shared/stats/html.ts';
import { outcomeMetric } from '#shared/stats/keys.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';

const journey = Journey.parse({
  id: 'promo',
  name: 'Promo',
  trigger: { type: 'event', event: 'Signed Up' },
  reentry: { mode: 'once' },
  start: 'hello',
  steps: {
    hello: { type: 'email', stage: 'awareness', template: 't', next: 'ab' },
    ab: {
      type: 'split',
      stage: 'consideration',
      variants: [
        { name: 'a', weight: 50, next: 'offer' },
        { name: 'b', weight: 50, next: 'done' },
      ],
    },
    offer: { type: 'sms', template: 's', next: 'done' },
    done: { type: 'exit' },
  },
});

const c = (metric: string, count: number, more: Partial<Counter> = {}): Counter => ({
  version: '1',
  metric,
  count,
  ...more,
});

describe('buildReport', () => {
  it('sums versions, follows assignment, and shows shares only where the counters can tell', () => {
    // arrange: two versions, 100 customers
    const counters = [
      c('enrolled', 60),
      c('enrolled', 40, { version: '2' }),
      c('sent', 90, { stepId: 'hello' }),
      c('suppressed', 10, { stepId: 'hello', reason: 'consent' }),
      c('deferred', 7, { stepId: 'hello', reason: 'quietHours' }),
      c('assigned', 52, { stepId: 'ab', variant: 'a' }),
      c('assigned', 48, { stepId: 'ab', variant: 'b' }),
      c('sent', 26, { stepId: 'offer' }),
      c('converted', 9, { stepId: 'ab', variant: 'a', sum: 90 }),
      c('converted', 9, { sum: 90 }),
      c(outcomeMetric('completed'), 91),
      c(outcomeMetric('goal'), 9, { version: '2' }),
    ];
    // act
    const report = buildReport(journey, counters, []);
    // assert
    expect(report.versions).toEqual(['1', '2']);
    expect(report.enrolled).toBe(100);
    expect(report.stages).toEqual(['awareness', 'consideration']);
    const step = (id: string) => report.steps.find((s) => s.stepId === id);
    expect(step('hello')).toMatchObject({ reached: 100, stage: 'awareness', depth: 0 });
    expect(step('offer')).toMatchObject({ reached: 26, stage: 'consideration', depth: 2 });
    expect(step('done')?.reached).toBeUndefined();
    expect(step('hello')?.reasons).toEqual(
      expect.arrayContaining([{ metric: 'deferred', reason: 'quietHours', count: 7 }]),
    );
    const share = (from: string, to: string) =>
      report.edges.find((e) => e.from === from && e.to === to)?.share;
    expect(share('hello', 'ab')).toBe(1);
    expect(share('ab', 'offer')).toBe(0.52);
    expect(share('offer', 'done')).toBeUndefined();
    expect(report.outcomes).toMatchObject({ completed: 91, goal: 9, failed: 0 });
    const [a, b] = report.splits[0]?.variants ?? [];
    expect(a).toMatchObject({ assigned: 52, converted: 9, money: { revenue: 90, aov: 10 } });
    expect(b).toMatchObject({ assigned: 48, converted: 0 });
    // No holdout in this split: nothing to compare against.
    expect(a?.vsHoldout).toBeUndefined();
  });

  it('is empty but whole for a journey with no counters yet', () => {
    const report = buildReport(journey, [], []);
    expect(report).toMatchObject({ enrolled: 0, converted: 0, money: { revenue: 0 }, days: [] });
    expect(report.rate).toBeUndefined();
    expect(report.splits[0]?.variants.map((v) => v.rate)).toEqual([undefined, undefined]);
  });

  it('shows the messages of unknown outcome and failures where a marketer reads results', () => {
    const counters = [
      c('sent', 8, { stepId: 'hello' }),
      c('unknown', 2, { stepId: 'hello' }),
      c('failed', 1, { stepId: 'hello' }),
    ];
    const report = buildReport(journey, counters, []);
    expect(report.steps.find((s) => s.stepId === 'hello')).toMatchObject({
      reached: 10,
      counts: { sent: 8, unknown: 2, failed: 1 },
    });
    expect(reportText(report)).toMatch(/hello +email +reached 10; sent 8, failed 1, unknown 2\n/);
    expect(reportBody(report)).toContain('sent 8 · suppr. 0 · unknown 2 · failed 1');
  });
});
