import {
  amount,
  everyDay,
  NO_SPLIT,
  grouped as n,
  outcomeLabel,
  variantLabel,
} from '#shared/stats/format.ts';
import { variantMessagesText } from '#shared/stats/variant-messages-text.ts';
import { type Forecast, feedbackRows } from '../run/forecast.ts';

/** The forecast as text for a terminal: a few short tables, figures right-aligned. */

/** Dollars as the forecast shows them, text and page alike: under a dollar to the hundredth of a cent. */
export const usd = (value: number) => `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;
const pct = (value: number | undefined) => (value === undefined ? '—' : `${(value * 100).toFixed(1)}%`);

function table(rows: (string | number)[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) =>
          typeof cell === 'number' || i > 0
            ? String(cell).padStart(widths[i] ?? 0)
            : String(cell).padEnd(widths[i] ?? 0),
        )
        .join('  '),
    )
    .map((line) => `  ${line.trimEnd()}`)
    .join('\n');
}

function section(title: string, body: string): string {
  return `\n${title}\n${body}\n`;
}

function hours(f: Forecast): string {
  const rows: (string | number)[][] = [['local hour', 'email', 'sms', 'push']];
  for (let h = 0; h < 24; h++) {
    const counts = [f.byLocalHour.email[h] ?? 0, f.byLocalHour.sms[h] ?? 0, f.byLocalHour.push[h] ?? 0];
    if (counts.some((c) => c > 0)) rows.push([`${String(h).padStart(2, '0')}:00`, ...counts.map(n)]);
  }
  return table(rows);
}

/** Email and SMS outcomes, each with its share of the messages of its channel sent. */
function feedback(f: Forecast): string {
  const rows = feedbackRows(f);
  if (rows.length === 0) return '  no email or SMS sent';
  return table([['', 'messages', 'share'], ...rows.map((r) => [r.label, n(r.count), r.percent])]);
}

export function forecastText(f: Forecast): string {
  const total = f.cost.reduce((sum, line) => sum + line.usd, 0);
  // The goal has a `value`: revenue and average order value, as `journeys report` shows them.
  const valued = f.revenue !== undefined;
  const reasons = (list: [string, number][]) =>
    list.length === 0 ? '  none' : table(list.map(([r, c]) => [r, n(c)]));
  return [
    `Forecast for ${f.journeyId}: ${n(f.customers)} customers, ${n(f.events)} events, journey time until ${f.endedAt}`,
    section(
      'Enrollments',
      table([
        ['enrolled', n(f.enrolled), ''],
        f.goal
          ? ['converted', n(f.converted), f.enrolled === 0 ? '' : pct(f.converted / f.enrolled)]
          : ['no goal: conversions are not measured', '', ''],
        ...(f.revenue === undefined
          ? []
          : [
              ['revenue', amount(f.revenue), ''],
              ['average order value', amount(f.aov), ''],
            ]),
        ...f.outcomes.map(([o, c]) => [`ended: ${outcomeLabel(o)}`, n(c), '']),
      ]),
    ),
    ...(f.skipped.length > 0 ? [section('Entries skipped, by reason', reasons(f.skipped))] : []),
    ...(f.failedExecutions.length > 0
      ? [section('Executions that failed, by reason', reasons(f.failedExecutions))]
      : []),
    section(
      'Messages sent per day (UTC)',
      table([
        ['day', 'email', 'sms', 'push'],
        // Every day keeps its place, as on the page's chart: a day with no send shows zeros.
        ...everyDay(f.byDay, (day) => ({ day, email: 0, sms: 0, push: 0 })).map((d) => [
          d.day,
          n(d.email),
          n(d.sms),
          n(d.push),
        ]),
        ['total', n(f.messages.sent.email), n(f.messages.sent.sms), n(f.messages.sent.push)],
      ]),
    ),
    section("Messages sent per hour of the customer's local time", hours(f)),
    section('What became of them (as providers report it)', feedback(f)),
    section('Deferred (tried again later), by reason', reasons(f.deferred)),
    section('Not sent, by reason', reasons(f.suppressed)),
    ...(f.unknown.length > 0 ? [section('Outcome unknown', reasons(f.unknown))] : []),
    ...(f.messages.failed > 0 ? [`\n  failed sends: ${n(f.messages.failed)}\n`] : []),
    section(
      'Conversions per variant',
      f.variants.length === 0
        ? `  ${NO_SPLIT}`
        : table([
            ['split / variant', 'assigned', 'converted', 'rate', ...(valued ? ['revenue', 'AOV'] : [])],
            ...f.variants.map((v) => [
              `${v.step} / ${variantLabel(v.variant, v)}`,
              // As journeys report prints them: the same figures read alike on every surface.
              n(v.assigned),
              n(v.converted),
              pct(v.rate),
              ...(valued ? [amount(v.revenue), amount(v.aov)] : []),
            ]),
          ]),
    ),
    // As journeys report prints them, under the same titles: nothing when no send was counted per variant.
    ...(f.variantMessages.length === 0 ? [] : [`\n${variantMessagesText(f.variantMessages).join('\n')}\n`]),
    section(
      'AWS usage and cost',
      table([
        ['item', 'quantity', 'unit price', 'cost'],
        ...f.cost.map((c) => [c.item, n(c.quantity), `$${c.unitPrice.toPrecision(3)}`, usd(c.usd)]),
        ['total', '', '', usd(total)],
      ]),
    ),
    `  ${f.pricesNote}`,
    `  Step Functions: ${n(f.executions)} executions, ${n(f.transitions)} state transitions (${(f.transitions / Math.max(1, f.executions)).toFixed(1)} per execution).\n`,
  ].join('\n');
}
