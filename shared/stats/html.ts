import type { Channel } from '../channels.ts';
import { engagementHtml } from './engagement.ts';
import { experimentLine } from './experiment-report.ts';
import {
  amount,
  edgeShares,
  enteredHere,
  escapeHtml,
  everyDay,
  expiredNote,
  grouped,
  interval,
  NO_SPLIT,
  OUTCOME_LABELS,
  percent,
  pValue,
  SKIP_LABELS,
  signedPercent,
  splitMethods,
  unknownStartNote,
} from './format.ts';
import { OUTCOMES } from './keys.ts';
import { reasonLabel } from './reasons.ts';
import type { DayResult, JourneyReport, StepResult } from './report.ts';
import { variantMessageSections } from './variant-messages.ts';
import { variantMessagesHtml } from './variant-messages-html.ts';

/**
 * The report as one self-contained HTML page (inline CSS and SVG, no script,
 * no external request): the journey map with its stages as lanes, the
 * variant table, and a per-day chart. Every value from a journey file is escaped.
 */

export { escapeHtml };

/**
 * Text from a journey file, set apart for the bidirectional algorithm (first-strong
 * isolate … pop directional isolate): a right-to-left name keeps the numbers beside
 * it in their place, and an override character in it ends with it.
 */
function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** Wide characters (CJK, emoji) take about two columns of a proportional font's average. */
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u;

/** The text cut, whole characters only, to about `columns` average characters, with an ellipsis when cut. */
function shorten(text: string, columns: number): string {
  let used = 0;
  let out = '';
  const parts = [...graphemes.segment(text)].map((g) => g.segment);
  const total = parts.reduce((n, g) => n + (WIDE.test(g) ? 2 : 1), 0);
  if (total <= columns) return text;
  for (const g of parts) {
    const w = WIDE.test(g) ? 2 : 1;
    if (used + w > columns - 1) break;
    out += g;
    used += w;
  }
  return `${out}…`;
}

/** Columns of the map's labels: a step's title beside its count (bigger digits), and an edge's lines in the gap between columns. */
const STEP_COLUMNS = 21;
const EDGE_COLUMNS = 22;

/**
 * An edge's label: a name from the journey file (a variant, a branch) on a line of its
 * own, then the rest (weight) and the share; any other label on one line with the share.
 */
function edgeText(label: string, name: string | undefined, share: string | undefined, x: number): string {
  const line = (text: string, dy: number) => `<tspan x="${x}" dy="${dy}">${text}</tspan>`;
  if (name === undefined) {
    const room = EDGE_COLUMNS - (share === undefined ? 0 : share.length + 3);
    const text = [label === '' ? '' : isolate(escapeHtml(shorten(label, room))), share]
      .filter(Boolean)
      .join(' → ');
    return line(text, 0);
  }
  const rest = [label.slice(name.length).trim(), share].filter(Boolean).join(' → ');
  const first = isolate(escapeHtml(shorten(name, EDGE_COLUMNS)));
  return rest === '' ? line(first, 0) : line(first, -13) + line(escapeHtml(rest), 13);
}

const BOX = { width: 190, height: 64, colGap: 120, rowGap: 14, pad: 16, label: 120 };

const COLOURS: Readonly<Record<StepResult['type'], string>> = {
  email: '#dbeafe',
  sms: '#dcfce7',
  push: '#fef9c3',
  wait: '#f3f4f6',
  waitForEvent: '#ede9fe',
  branch: '#ffedd5',
  split: '#fce7f3',
  updateProfile: '#e0f2fe',
  emit: '#e0e7ff',
  updateContext: '#ecfccb',
  webhook: '#fae8ff',
  exit: '#e5e7eb',
  removed: '#ffffff',
};

type Placed = { step: StepResult; x: number; y: number };
type Lane = { stage: string; y: number; height: number };

/** Stages are horizontal lanes; within a lane, columns are the distance from the start. */
function place(report: JourneyReport): {
  placed: Map<string, Placed>;
  lanes: Lane[];
  width: number;
  height: number;
} {
  const placed = new Map<string, Placed>();
  const lanes: Lane[] = [];
  let y = BOX.pad;
  const maxDepth = Math.max(0, ...report.steps.map((s) => s.depth));
  for (const stage of report.stages) {
    const inLane = report.steps.filter((s) => s.stage === stage);
    const rows = new Map<number, number>();
    for (const step of inLane) {
      const row = rows.get(step.depth) ?? 0;
      rows.set(step.depth, row + 1);
      const x = BOX.pad + BOX.label + step.depth * (BOX.width + BOX.colGap);
      placed.set(step.stepId, { step, x, y: y + BOX.rowGap + row * (BOX.height + BOX.rowGap) });
    }
    const height = BOX.rowGap + Math.max(1, ...rows.values()) * (BOX.height + BOX.rowGap);
    lanes.push({ stage, y, height });
    y += height + 6;
  }
  const width = BOX.pad * 2 + BOX.label + (maxDepth + 1) * (BOX.width + BOX.colGap);
  return { placed, lanes, width, height: y + BOX.pad };
}

/** A step's count as its box prints it: grouped, or nothing where the counters cannot tell. */
function reachedText(step: StepResult): string {
  return step.reached === undefined ? '' : grouped(step.reached);
}

function stepDetail(step: StepResult): string {
  const c = step.counts;
  if (step.type === 'email' || step.type === 'sms' || step.type === 'push') {
    // A message whose outcome is unknown, or that failed, is something to look into: shown whenever there is one.
    const attention = (['unknown', 'failed'] as const)
      .filter((m) => (c[m] ?? 0) > 0)
      .map((m) => ` · ${m} ${grouped(c[m] ?? 0)}`)
      .join('');
    return `sent ${grouped(c.sent ?? 0)} · suppr. ${grouped(c.suppressed ?? 0)}${attention}${c.converted ? ` · conv. ${grouped(c.converted)}` : ''}`;
  }
  // A failure on data (failed.ProfileValue, failed.EventBus…) is something to look into, as for a message.
  const failed = Object.entries(c).reduce((n, [m, count]) => (m.startsWith('failed.') ? n + count : n), 0);
  const attention = failed > 0 ? ` · failed ${grouped(failed)}` : '';
  if (step.type === 'waitForEvent') return `event ${grouped(c.eventReceived ?? 0)}${attention}`;
  // A split's variants are assigned on entry: it tells how many were assigned, not how many reached it.
  if (step.type === 'split' && c.assigned !== undefined)
    return `split · assigned ${grouped(c.assigned)}${attention}`;
  return `${step.type}${attention}`;
}

function mapSvg(report: JourneyReport): string {
  const { placed, lanes, width, height } = place(report);
  const parts: string[] = [];
  for (const lane of lanes) {
    parts.push(
      `<g class="lane" data-stage="${escapeHtml(lane.stage)}"><rect x="${BOX.pad / 2}" y="${lane.y}" width="${width - BOX.pad}" height="${lane.height}" rx="8"/>`,
      `<text class="lane-title" x="${BOX.pad}" y="${lane.y + 24}">${escapeHtml(lane.stage)}</text></g>`,
    );
  }
  const shares = edgeShares(report.edges, 0);
  for (const [i, edge] of report.edges.entries()) {
    const a = placed.get(edge.from);
    const b = placed.get(edge.to);
    if (a === undefined || b === undefined) continue;
    const [x1, y1] = [a.x + BOX.width, a.y + BOX.height / 2];
    const forward = b.x > a.x;
    // Forward edges enter the target's left side; edges within a column bulge out to the right.
    const [x2, y2] = forward ? [b.x, b.y + BOX.height / 2] : [b.x + BOX.width, b.y + BOX.height / 2];
    const bend = forward ? `${x1 + 50},${y1} ${x2 - 50},${y2}` : `${x1 + 36},${y1} ${x2 + 36},${y2}`;
    const share = edge.share === undefined ? undefined : shares[i];
    const whole = [edge.label, share].filter(Boolean).join(' → ');
    const [lx, ly] = forward ? [x2 - 6, y2 - 6] : [x1 + 40, (y1 + y2) / 2];
    parts.push(
      `<g class="edge" data-from="${escapeHtml(edge.from)}" data-to="${escapeHtml(edge.to)}" data-share="${edge.share ?? ''}">`,
      whole === '' ? '' : `<title>${escapeHtml(whole)}</title>`,
      `<path d="M${x1},${y1} C${bend} ${x2},${y2}" marker-end="url(#arrow)"/>`,
      whole === ''
        ? ''
        : `<text x="${lx}" y="${ly}" text-anchor="${forward ? 'end' : 'start'}">${edgeText(edge.label ?? '', edge.name, share, lx)}</text>`,
      '</g>',
    );
  }
  for (const { step, x, y } of placed.values()) {
    const entered = enteredHere(step);
    parts.push(
      `<g class="step" data-step="${escapeHtml(step.stepId)}" data-reached="${step.reached ?? ''}" data-entered="${step.entered ?? ''}">`,
      `<rect x="${x}" y="${y}" width="${BOX.width}" height="${BOX.height}" rx="6" fill="${COLOURS[step.type]}"/>`,
      `<title>${escapeHtml(step.label ?? step.stepId)}</title>`,
      `<text class="step-id" x="${x + 10}" y="${y + 20}">${isolate(escapeHtml(shorten(step.label ?? step.stepId, STEP_COLUMNS - Math.ceil(1.4 * reachedText(step).length))))}</text>`,
      `<text class="reached" x="${x + BOX.width - 10}" y="${y + 20}" text-anchor="end">${reachedText(step)}</text>`,
      `<text class="detail" x="${x + 10}" y="${y + 44}">${escapeHtml(stepDetail(step))}</text>`,
      // The entries of versions that began here, on a line of their own as the text report gives them.
      entered === undefined
        ? ''
        : `<text class="detail entered" x="${x + 10}" y="${y + 58}">${entered}</text>`,
      '</g>',
    );
  }
  return `<svg class="map" role="img" aria-label="Journey map" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
${parts.join('\n')}
</svg>`;
}

function variantTable(report: JourneyReport): string {
  if (report.splits.length === 0) return `<p>${NO_SPLIT}</p>`;
  return report.splits
    .map((split) => {
      const rows = split.variants.map(
        (v) => `<tr data-variant="${escapeHtml(v.name)}">
<th>${escapeHtml(v.name)}${v.holdout ? ' <span class="tag">holdout</span>' : ''}${v.removed ? ' <span class="tag">removed</span>' : ''}</th>
<td class="n" data-field="assigned">${grouped(v.assigned)}</td><td class="n" data-field="converted">${grouped(v.converted)}</td>
<td class="n" data-field="rate">${percent(v.rate?.value)}</td><td data-field="ci">${interval(v.rate)}</td>
<td class="n" data-field="lift">${v.holdout ? 'baseline' : signedPercent(v.vsHoldout?.lift)}</td>
<td class="n" data-field="p">${pValue(v.vsHoldout?.p)}</td>
<td data-field="verdict">${v.holdout ? '' : escapeHtml(v.vsHoldout?.verdict ?? '—')}</td>
<td class="n" data-field="revenue">${amount(v.money.revenue)}</td><td class="n">${amount(v.money.aov)}</td><td class="n">${amount(v.money.perRecipient)}</td>
</tr>`,
      );
      const experiment = report.experiments.find((e) => e.stepId === split.stepId);
      const note =
        experiment === undefined
          ? ''
          : `<p class="experiment">${escapeHtml(experimentLine(experiment))}</p>\n`;
      return `<h3>Split “${escapeHtml(split.stepId)}”</h3>
${note}<p class="note">${escapeHtml(splitMethods(split.variants))}</p>
<table class="variants"><thead><tr><th>variant</th><th>assigned</th><th>converted</th><th>rate</th><th>95% CI (Wilson)</th><th>lift vs holdout</th><th>p</th><th>verdict</th><th>revenue</th><th>AOV</th><th>revenue / customer</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
    })
    .join('\n');
}

/** Every calendar day from the first to the last, one with no message as zeros (everyDay). */
function calendar(days: readonly DayResult[]): DayResult[] {
  return everyDay(days, (day) => ({ day, sent: { email: 0, sms: 0, push: 0 }, converted: 0 }));
}

/** Messages sent per day, stacked by channel, on a calendar axis (UTC days). */
export function dayChart(days: readonly DayResult[]): string {
  if (days.length === 0) return '<p>No messages sent yet.</p>';
  const all = calendar(days);
  // Each channel's messages over the days shown, beside its colour.
  const sum = (channel: Channel) => all.reduce((n, d) => n + d.sent[channel], 0);
  // Up to ~30 days get 42 px each; a longer run shares about 1,200 px, with fewer labels.
  const slot = Math.max(1.5, Math.min(42, 1200 / all.length));
  const bar = slot * (2 / 3);
  const labelEvery = Math.ceil(36 / slot);
  const plot = 160;
  const top = Math.max(1, ...all.map((d) => d.sent.email + d.sent.sms + d.sent.push));
  const width = Math.ceil(60 + all.length * slot);
  const n = (v: number) => Number(v.toFixed(2));
  const parts: string[] = [];
  all.forEach((d, i) => {
    const x = n(50 + i * slot);
    const total = d.sent.email + d.sent.sms + d.sent.push;
    const group: string[] = [
      `<g class="day" data-day="${d.day}" data-sent="${total}" data-converted="${d.converted}">`,
      `<rect class="slot" x="${x}" y="24" width="${n(bar)}" height="${plot}"><title>${d.day}: ${grouped(total)} sent</title></rect>`,
    ];
    let y = plot + 24;
    for (const channel of ['email', 'sms', 'push'] as const) {
      const h = (d.sent[channel] / top) * plot;
      y -= h;
      if (h > 0)
        group.push(
          `<rect class="${channel}" x="${x}" y="${n(y)}" width="${n(bar)}" height="${n(h)}"><title>${d.day}: ${channel} ${d.sent[channel]}</title></rect>`,
        );
    }
    // Totals above the bars and dates below them where there is room to read them.
    if (labelEvery === 1 && total > 0)
      group.push(`<text x="${n(x + bar / 2)}" y="${n(y - 4)}" text-anchor="middle">${total}</text>`);
    if (i % labelEvery === 0)
      group.push(
        `<text x="${n(x + bar / 2)}" y="${plot + 40}" text-anchor="middle">${d.day.slice(5)}</text>`,
      );
    parts.push(`${group.join('')}</g>`);
  });
  return `<svg class="chart" role="img" aria-label="Messages sent per day" width="${width}" height="${plot + 50}">${parts.join('')}</svg>
<p class="legend"><span class="email">■</span> email ${grouped(sum('email'))} <span class="sms">■</span> SMS ${grouped(sum('sms'))} <span class="push">■</span> push ${grouped(sum('push'))} · days in UTC, ${all[0]?.day} to ${all.at(-1)?.day}</p>`;
}

/** The report's style sheet (the local console shares it). */
export const REPORT_STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111827;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px}
.kpis{display:flex;gap:12px;flex-wrap:wrap}.kpi{border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:120px}
.kpi b{display:block;font-size:20px}.map{display:block;overflow:visible}.map-frame{overflow-x:auto;max-width:100%}.lane rect{fill:#f9fafb;stroke:#e5e7eb}
.lane-title{fill:#6b7280;font-size:13px;font-weight:600;text-transform:capitalize}.step rect{stroke:#6b7280}.step-id{font-weight:600;font-size:13px}
.reached{font-weight:700;font-size:15px}.detail{fill:#374151;font-size:12px}.edge path{fill:none;stroke:#9ca3af;stroke-width:1.5}
.edge text{fill:#1f2937;font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}
table{border-collapse:collapse}th,td{border-bottom:1px solid #e5e7eb;padding:6px 10px;text-align:left}.n{text-align:right}
.tag{background:#e5e7eb;border-radius:4px;padding:0 4px;font-size:11px}.chart text{font-size:11px;fill:#374151}.chart rect.slot{fill:transparent}
rect.email,.legend .email{fill:#60a5fa;color:#60a5fa}rect.sms,.legend .sms{fill:#34d399;color:#34d399}rect.push,.legend .push{fill:#fbbf24;color:#fbbf24}
.note{color:#6b7280;font-size:12px}`;

/** The whole page. */
/** The notes on what the counts below leave out or assume: expired results, entries of an unknown start. */
function expiredHtml(r: JourneyReport): string {
  const notes = [expiredNote(r), unknownStartNote(r)].filter((n) => n !== undefined);
  return notes.map((note) => `\n<p class="note">${escapeHtml(note)}</p>`).join('');
}

export function reportHtml(r: JourneyReport): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.name)} — results</title><style>${REPORT_STYLE}</style></head>
<body>
${reportBody(r)}
</body></html>
`;
}

/** Triggers an entry limit kept out, with their reasons: shown, as in the text report, only when there are some. */
function skippedKpi(r: JourneyReport, kpi: (label: string, value: string, field: string) => string): string {
  const total = SKIP_LABELS.reduce((n, [reason]) => n + r.skipped[reason], 0);
  if (total === 0) return '';
  const why = SKIP_LABELS.filter(([reason]) => r.skipped[reason] > 0)
    .map(([reason, label]) => `${label} ${grouped(r.skipped[reason])}`)
    .join(' · ');
  return kpi(`entries skipped (${why})`, grouped(total), 'skipped');
}

/** What a counter kept with a reason means: a deferred message is tried again, not lost. */
const REASON_METRICS: ReadonlyMap<string, string> = new Map([
  ['suppressed', 'not sent'],
  ['deferred', 'deferred (tried again later)'],
  ['pushTokenRemoved', 'push token removed'],
  ['entrySkipped', 'entry skipped'],
  ['eventIgnored', 'awaited event ignored'],
]);

/** The report's content, for a page of its own or inside the local console. */
export function reportBody(r: JourneyReport): string {
  const kpi = (label: string, value: string, field: string) =>
    `<div class="kpi" data-kpi="${field}"><b>${escapeHtml(value)}</b>${escapeHtml(label)}</div>`;
  const reasons = r.steps.flatMap((s) => [
    ...s.reasons.map(
      (w) =>
        `<li>${escapeHtml(s.stepId)}: ${escapeHtml(REASON_METRICS.get(w.metric) ?? w.metric)} — ${escapeHtml(reasonLabel(w.reason))}: ${grouped(w.count)}</li>`,
    ),
    ...s.failures.map(
      (f) =>
        `<li data-failure="${escapeHtml(f.kind)}">${escapeHtml(s.stepId)}: failed — ${escapeHtml(f.label)}: ${grouped(f.count)}</li>`,
    ),
  ]);
  return `<h1>${escapeHtml(r.name)}</h1>
<p class="note">journey ${escapeHtml(r.journeyId)} · versions ${escapeHtml(r.versions.join(', ') || 'none yet')}</p>${expiredHtml(r)}
<div class="kpis">
${kpi('enrolled', grouped(r.enrolled), 'enrolled')}
${r.goal ? kpi(`converted (${percent(r.rate?.value)}, 95% CI ${interval(r.rate)})`, grouped(r.converted), 'converted') : kpi('converted (this journey has no goal)', '—', 'converted')}
${kpi('revenue', amount(r.money.revenue), 'revenue')}
${kpi('average order value', amount(r.money.aov), 'aov')}
${OUTCOMES.map((o) => kpi(`ended: ${OUTCOME_LABELS[o]}`, grouped(r.outcomes[o]), `outcome-${o}`)).join('\n')}
${kpi('in flight', grouped(r.inFlight), 'in-flight')}
${skippedKpi(r, kpi)}
</div>
<h2>Journey map</h2>
<p class="note">Lifecycle stages are lanes; each step shows how many times enrollments reached it (a customer going round a loop counts at each pass), and a split how many were assigned its variants on entry; edges show the share that took them where the counters can tell.</p>
<div class="map-frame">${mapSvg(r)}</div>
<h2>Variants</h2>
<p class="note">Conversion within the goal window, by assigned variant (intent to treat). Rate interval: Wilson score, 95%. Lift and p-value: pooled two-proportion z-test against the holdout, two-sided; with several variants against one holdout, p-values are Holm–Bonferroni adjusted over them, so identical variants are called better or worse at most 5% of the time; across versions (whose weights may differ) variant and holdout are compared within each version (Cochran–Mantel–Haenszel test, Mantel–Haenszel lift), never pooled; “too small to tell” when a group has fewer than 5 conversions or 5 non-conversions.</p>
${variantTable(r)}
${variantMessagesHtml(variantMessageSections(r.splits, r.steps))}
${engagementHtml(r.steps)}
<h2>Messages per day</h2>
${dayChart(r.days)}
${reasons.length === 0 ? '' : `<h2>Not sent, deferred or failed, and why</h2><ul>${reasons.join('')}</ul>`}`;
}
