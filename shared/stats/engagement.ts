import type { Channel } from '../channels.ts';
import { escapeHtml, grouped, percent } from './format.ts';
import type { StepResult } from './report.ts';

/**
 * What became of a message step's messages once sent, as the providers report
 * it: delivered as a share of those sent, opened and clicked as a share of
 * those delivered. Only from the counts the step keeps (one per message and
 * outcome, keys.ts feedbackMetric), for the outcomes its channel reports: SES
 * reports an email's delivery, opens and clicks; a carrier an SMS's delivery;
 * the push service a push's delivery and its opening. Feedback is counted per
 * step, not per variant: a split's variants have no rates of their own.
 */

export type EngagementMetric = 'delivered' | 'opened' | 'clicked';

export type EngagementFigure = {
  metric: EngagementMetric;
  count: number;
  /** What the rate is a share of. */
  of: 'sent' | 'delivered';
  /** count / of; absent when nothing was sent or delivered to take a share of. */
  rate?: number;
};

/** The outcomes each channel's provider reports, in the order a message meets them. */
const REPORTED: Readonly<Record<Channel, readonly EngagementMetric[]>> = {
  email: ['delivered', 'opened', 'clicked'],
  sms: ['delivered'],
  push: ['delivered', 'opened'],
};

/** A message step's engagement from its counts. */
export function engagementOf(channel: Channel, counts: Readonly<Record<string, number>>): EngagementFigure[] {
  const sent = counts.sent ?? 0;
  const delivered = counts.delivered ?? 0;
  return REPORTED[channel].map((metric) => {
    const count = counts[metric] ?? 0;
    const of = metric === 'delivered' ? 'sent' : 'delivered';
    const base = of === 'sent' ? sent : delivered;
    return { metric, count, of, ...(base > 0 ? { rate: count / base } : {}) };
  });
}

/** "delivered 90 (90.0% of sent) · opened 45 (50.0% of delivered)"; "—" for a share of nothing. */
export function engagementText(figures: readonly EngagementFigure[]): string {
  return figures.map((f) => `${f.metric} ${grouped(f.count)} (${percent(f.rate)} of ${f.of})`).join(' · ');
}

const COLUMNS: readonly EngagementMetric[] = ['delivered', 'opened', 'clicked'];

/** The page's table of every message step's engagement; a figure its channel does not report is "not reported". */
export function engagementHtml(steps: readonly StepResult[]): string {
  const rows = steps.flatMap((s) => {
    if (s.engagement === undefined) return [];
    const cells = COLUMNS.map((metric) => {
      const f = s.engagement?.find((e) => e.metric === metric);
      if (f === undefined) return '<td class="n" colspan="2">not reported</td>';
      return `<td class="n" data-field="${metric}">${grouped(f.count)}</td><td class="n" data-field="${metric}-rate">${percent(f.rate)}</td>`;
    });
    return [
      `<tr data-step="${escapeHtml(s.stepId)}"><th>${escapeHtml(s.label ?? s.stepId)}</th><td>${escapeHtml(s.type)}</td><td class="n" data-field="sent">${grouped(s.counts.sent ?? 0)}</td>${cells.join('')}</tr>`,
    ];
  });
  if (rows.length === 0) return '';
  return `<h2>Engagement per message step</h2>
<p class="note">As the providers report each message once sent: delivered as a share of those sent, opened and clicked as a share of those delivered (— where none was); SMS reports delivery only, push delivery and opening. Counted per step, not per variant.</p>
<table class="engagement"><thead><tr><th>step</th><th>channel</th><th>sent</th><th>delivered</th><th>% of sent</th><th>opened</th><th>% of delivered</th><th>clicked</th><th>% of delivered</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}
