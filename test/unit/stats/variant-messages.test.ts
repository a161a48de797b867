import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { reportHtml } from '#shared/stats/html.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';

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
