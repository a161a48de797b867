import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { reportHtml } from '#shared/stats/html.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';

/**
 * Each message step's engagement, from the feedback the step counts: delivered
 * as a share of sent, opened and clicked as a share of delivered, for the
 * outcomes its channel reports, and "—" for a share of nothing.
 */

const JOURNEY = Journey.parse({
  id: 'welcome',
  name: 'Welcome',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'hello',
  steps: {
    hello: { type: 'email', template: 'welcome', next: 'nudge' },
    nudge: { type: 'sms', template: 'nudge', next: 'ping' },
    ping: { type: 'push', template: 'ping', next: 'done' },
    done: { type: 'exit' },
  },
});

const c = (stepId: string, metric: string, count: number): Counter => ({
  version: '1',
  stepId,
  metric,
  count,
});

describe('engagement per message step', () => {
  it('gives counts and shares in the JSON, the text and the page, for what each channel reports', () => {
    // arrange: 200 emails, 160 delivered, 40 opened, 8 clicked; 50 SMS, 45 delivered; 30 pushes, none delivered yet
    const counters = [
      c('hello', 'sent', 200),
      c('hello', 'delivered', 160),
      c('hello', 'opened', 40),
      c('hello', 'clicked', 8),
      c('nudge', 'sent', 50),
      c('nudge', 'delivered', 45),
      c('ping', 'sent', 30),
    ];
    // act
    const report = buildReport(JOURNEY, counters, []);
    const json = JSON.parse(JSON.stringify(report)) as typeof report;
    const text = reportText(report);
    const page = reportHtml(report);
    // assert
    const step = (id: string) => json.steps.find((s) => s.stepId === id);
    expect(step('hello')?.engagement).toEqual([
      { metric: 'delivered', count: 160, of: 'sent', rate: 0.8 },
      { metric: 'opened', count: 40, of: 'delivered', rate: 0.25 },
      { metric: 'clicked', count: 8, of: 'delivered', rate: 0.05 },
    ]);
    expect(step('nudge')?.engagement).toEqual([{ metric: 'delivered', count: 45, of: 'sent', rate: 0.9 }]);
    // nothing delivered: no share of it to give
    expect(step('ping')?.engagement).toEqual([
      { metric: 'delivered', count: 0, of: 'sent', rate: 0 },
      { metric: 'opened', count: 0, of: 'delivered' },
    ]);
    expect(step('done')?.engagement).toBeUndefined();
    expect(text).toContain(
      'delivered 160 (80.0% of sent) · opened 40 (25.0% of delivered) · clicked 8 (5.0% of delivered)',
    );
    expect(text).toContain('delivered 45 (90.0% of sent)\n');
    expect(text).toContain('delivered 0 (0.0% of sent) · opened 0 (— of delivered)\n');
    expect(page).toContain('<h2>Engagement per message step</h2>');
    const row = (id: string) => page.slice(page.indexOf(`<tr data-step="${id}">`)).split('</tr>')[0];
    expect(row('hello')).toContain('<td class="n" data-field="opened-rate">25.0%</td>');
    expect(row('hello')).toContain('<td class="n" data-field="clicked-rate">5.0%</td>');
    expect(row('nudge')).toContain('<td class="n" data-field="delivered-rate">90.0%</td>');
    expect(row('nudge')).toContain('not reported');
    expect(row('ping')).toContain('<td class="n" data-field="opened-rate">—</td>');
  });

  it('gives no share of messages when none was sent', () => {
    // arrange: the email step was reached only by suppressions
    const report = buildReport(JOURNEY, [c('hello', 'suppressed', 5)], []);
    // act
    const hello = report.steps.find((s) => s.stepId === 'hello');
    // assert
    expect(hello?.engagement?.[0]).toEqual({ metric: 'delivered', count: 0, of: 'sent' });
    expect(reportText(report)).toContain('delivered 0 (— of sent)');
  });
});
