import { amount, NO_SPLIT, grouped as n, outcomeLabel, variantLabel } from '#shared/stats/format.ts';
import { dayChart, escapeHtml, REPORT_STYLE } from '#shared/stats/html.ts';
import { variantMessagesHtml } from '#shared/stats/variant-messages-html.ts';
import { type Forecast, feedbackRows } from '../run/forecast.ts';
import { usd } from './text.ts';

/** The forecast as one self-contained page, in the style of the journey report. */

function hourChart(f: Forecast): string {
  const bar = 18;
  const gap = 6;
  const plot = 140;
  const totals = Array.from(
    { length: 24 },
    (_, h) => (f.byLocalHour.email[h] ?? 0) + (f.byLocalHour.sms[h] ?? 0) + (f.byLocalHour.push[h] ?? 0),
  );
  const top = Math.max(1, ...totals);
  const parts: string[] = [];
  for (let h = 0; h < 24; h++) {
    const x = 40 + h * (bar + gap);
    let y = plot + 20;
    for (const channel of ['email', 'sms', 'push'] as const) {
      const count = f.byLocalHour[channel][h] ?? 0;
      const height = (count / top) * plot;
      y -= height;
      if (height > 0)
        parts.push(
          `<rect class="${channel}" x="${x}" y="${y}" width="${bar}" height="${height}"><title>${channel} ${count}</title></rect>`,
        );
    }
    parts.push(`<text x="${x + bar / 2}" y="${plot + 36}" text-anchor="middle">${h}</text>`);
  }
  return `<svg class="chart" role="img" aria-label="Messages per local hour" width="${40 + 24 * (bar + gap)}" height="${plot + 46}">${parts.join('')}</svg>
<p class="legend"><span class="email">■</span> email <span class="sms">■</span> SMS <span class="push">■</span> push · hour of the customer's own time zone</p>`;
}

/** A table, or what the text report says in its place when there is nothing to list. */
function rows(list: readonly (string | number)[][], head: readonly string[], empty = 'none'): string {
  if (list.length === 0) return `<p>${escapeHtml(empty)}</p>`;
  const th = head.map((h, i) => `<th${i > 0 ? ' class="n"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = list
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="n"' : ''}>${escapeHtml(typeof c === 'number' ? n(c) : c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

export function forecastPage(f: Forecast): string {
  const total = f.cost.reduce((sum, c) => sum + c.usd, 0);
  const kpi = (label: string, value: string) =>
    `<div class="kpi">${escapeHtml(label)}<b>${escapeHtml(value)}</b></div>`;
  const days = f.byDay.map((d) => ({
    day: d.day,
    sent: { email: d.email, sms: d.sms, push: d.push },
    converted: 0,
  }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(f.journeyId)} — forecast</title><style>${REPORT_STYLE}</style></head>
<body>
<h1>Forecast: ${escapeHtml(f.journeyId)}</h1>
<p class="note">${n(f.customers)} synthetic customers · journey time until ${escapeHtml(f.endedAt)}</p>
<div class="kpis">${kpi('enrolled', n(f.enrolled))}${f.goal ? kpi('converted', n(f.converted)) : kpi('no goal: conversions are not measured', '—')}${f.revenue === undefined ? '' : `${kpi('revenue', amount(f.revenue))}${kpi('average order value', amount(f.aov))}`}${kpi('emails', n(f.messages.sent.email))}${kpi('SMS', n(f.messages.sent.sms))}${kpi('push', n(f.messages.sent.push))}${f.messages.failed > 0 ? kpi('Failed sends', n(f.messages.failed)) : ''}${kpi('AWS cost', usd(total))}</div>
${f.skipped.length === 0 ? '' : `<h2>Entries skipped, by reason</h2>\n${rows(f.skipped, ['reason', 'count'])}\n`}<h2>Messages per day</h2>
${dayChart(days)}
<h2>Messages per hour of local time</h2>
${hourChart(f)}
<h2>What became of them</h2>
${rows(
  feedbackRows(f).map((r) => [r.label, r.count, r.percent]),
  ['as providers report it', 'messages', 'share'],
  'no email or SMS sent',
)}
<h2>Deferred, by reason</h2>
${rows(f.deferred, ['reason', 'count'])}
<h2>Not sent, by reason</h2>
${rows(f.suppressed, ['reason', 'count'])}
${f.unknown.length === 0 ? '' : `<h2>Outcome unknown</h2>\n${rows(f.unknown, ['reason', 'count'])}`}
<h2>Conversions per variant</h2>
${rows(
  f.variants.map((v) => [
    `${v.step} / ${variantLabel(v.variant, v)}`,
    // As journeys report prints them: the same figures read alike on every surface.
    n(v.assigned),
    n(v.converted),
    v.rate === undefined ? '—' : `${(v.rate * 100).toFixed(1)}%`,
    ...(f.revenue === undefined ? [] : [amount(v.revenue), amount(v.aov)]),
  ]),
  ['variant', 'assigned', 'converted', 'rate', ...(f.revenue === undefined ? [] : ['revenue', 'AOV'])],
  NO_SPLIT,
)}
${variantMessagesHtml(f.variantMessages)}
<h2>Outcomes</h2>
${rows(
  f.outcomes.map(([o, c]) => [outcomeLabel(o), c]),
  ['ended', 'count'],
)}
${f.failedExecutions.length === 0 ? '' : `<h2>Executions that failed, by reason</h2>\n${rows(f.failedExecutions, ['reason', 'count'])}`}
<h2>AWS usage and cost</h2>
${rows([...f.cost.map((c) => [c.item, c.quantity, `$${c.unitPrice.toPrecision(3)}`, usd(c.usd)]), ['total', '', '', usd(total)]], ['item', 'quantity', 'unit price', 'cost'])}
<p class="note">${escapeHtml(f.pricesNote)} Step Functions: ${n(f.executions)} executions, ${n(f.transitions)} state transitions.</p>
</body></html>
`;
}
