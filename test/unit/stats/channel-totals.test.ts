import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { reportHtml } from '#shared/stats/html.ts';
import { buildReport, type Counter, type DayCounter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';

/**
 * The messages a journey sent per channel in all, beside the per-day table:
 * what a marketer reads first, and what the days must add up to.
 */

const JOURNEY = Journey.parse({
  id: 'channels',
  name: 'Channels',
  trigger: { type: 'event', event: 'Signed Up' },
  goal: { event: 'Ordered', within: 'P7D' },
  start: 'mail',
  steps: {
    mail: { type: 'email', template: 'welcome', next: 'text' },
    text: { type: 'sms', template: 'nudge', next: 'done' },
    done: { type: 'exit' },
  },
});

const counters: Counter[] = [{ version: '1', metric: 'enrolled', reason: 'mail', count: 9 }];
const days: DayCounter[] = [
  { day: '2026-03-02', metric: 'sent', channel: 'email', count: 9 },
  { day: '2026-03-03', metric: 'sent', channel: 'sms', count: 4 },
  { day: '2026-03-05', metric: 'sent', channel: 'sms', count: 3 },
  { day: '2026-03-05', metric: 'sent', channel: 'push', count: 1 },
  { day: '2026-03-05', metric: 'converted', count: 2 },
];

describe('messages per channel in all', () => {
  it('add up the days, in the JSON, the text and the page', () => {
    // act
    const report = buildReport(JOURNEY, counters, days);
    // assert
    expect(report.totals).toStrictEqual({ sent: { email: 9, sms: 7, push: 1 }, converted: 2 });
    const lines = reportText(report).split('\n');
    expect(
      lines
        .find((l) => l.trimStart().startsWith('total'))
        ?.trim()
        .split(/\s+/),
    ).toEqual(['total', '9', '7', '1', '2']);
    expect(reportHtml(report)).toMatch(
      /email 9 <span class="sms">■<\/span> SMS 7 <span class="push">■<\/span> push 1/,
    );
  });
});
