import type { EntrySkipReason } from '../journey/entry/entries.ts';
import type { Outcome } from './keys.ts';
import type { JourneyReport, StepResult, VariantResult } from './report.ts';
import type { Rate } from './statistics.ts';

/** Number formats shared by the text and HTML reports. */

/**
 * A count as every marketer surface prints it (report and simulate, text and
 * page): digits grouped by thousands, "1,234", easier to read in a column.
 */
export function grouped(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function percent(value: number | undefined, digits = 1): string {
  return value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

/**
 * The share of each edge as a percentage, in the order of the edges. The
 * edges out of one step whose shares are the parts of one whole (a split's
 * draw, 1 in 8 and 7 in 16 twice) are rounded so that what is printed adds up
 * to 100% — the largest remainders rounded up — where rounding each alone
 * printed 13% + 44% + 44% = 101%; the others are rounded each alone.
 */
export function edgeShares(edges: readonly { from: string; share?: number }[], digits = 1): string[] {
  const out = edges.map((e) => (e.share === undefined ? '' : percent(e.share, digits)));
  const byStep = new Map<string, number[]>();
  for (const [i, e] of edges.entries()) byStep.set(e.from, [...(byStep.get(e.from) ?? []), i]);
  const units = 100 * 10 ** digits;
  for (const indexes of byStep.values()) {
    const shares = indexes.map((i) => edges[i]?.share);
    const parts = shares.filter((s): s is number => s !== undefined);
    const sum = parts.reduce((a, b) => a + b, 0);
    if (parts.length < 2 || parts.length !== shares.length || Math.abs(sum - 1) > 1e-9) continue;
    const exact = parts.map((s) => (s / sum) * units);
    const whole = exact.map(Math.floor);
    const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest);
    let left = units - whole.reduce((a, b) => a + b, 0);
    for (const { i } of order) {
      if (left <= 0) break;
      whole[i] = (whole[i] ?? 0) + 1;
      left -= 1;
    }
    for (const [k, i] of indexes.entries()) out[i] = `${((whole[k] ?? 0) / 10 ** digits).toFixed(digits)}%`;
  }
  return out;
}

export function interval(rate: Rate | undefined): string {
  return rate === undefined ? '—' : `${percent(rate.low)}–${percent(rate.high)}`;
}

export function signedPercent(value: number | undefined): string {
  if (value === undefined) return '—';
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}

/**
 * How a split's figures were computed, as the text and the page both say it: the rate's interval,
 * the test behind lift and p (pooled, or within each version once the split ran in several), and
 * the adjustment of p over several variants.
 */
export function splitMethods(variants: readonly VariantResult[]): string {
  const family = variants.find((v) => v.vsHoldout?.family !== undefined)?.vsHoldout?.family;
  const adjusted =
    family === undefined ? '' : `; p: Holm–Bonferroni adjusted over the ${family} variants compared`;
  const strata = Math.max(0, ...variants.map((v) => v.vsHoldout?.strata ?? 0));
  const test =
    strata === 0
      ? 'pooled two-proportion z-test vs holdout'
      : `Cochran–Mantel–Haenszel test vs holdout within each of ${strata} versions`;
  return `rate: Wilson 95% interval; lift: ${test}${adjusted}`;
}

/** What every surface says in place of the variants of a journey that has no split. */
export const NO_SPLIT = 'This journey has no split.';

/**
 * A variant as every surface names it: its name, then what sets it apart (a holdout; a variant the
 * live version no longer declares), as the page's tags beside it.
 */
export function variantLabel(name: string, marks: { holdout?: boolean; removed?: boolean }): string {
  return `${name}${marks.holdout === true ? ' (holdout)' : ''}${marks.removed === true ? ' (removed)' : ''}`;
}

export function amount(value: number | undefined): string {
  return value === undefined ? '—' : value.toFixed(2);
}

/** How each outcome is named wherever a marketer reads it (text, page, console). */
export const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  completed: 'completed',
  goal: 'goal',
  exited: 'exited',
  stepFailed: 'step failed',
  failed: 'failed',
  aborted: 'aborted',
  timedOut: 'timed out',
};

/** An outcome as a marketer reads it; a name no outcome has (a forecast's, an older counter's) as it is. */
export function outcomeLabel(name: string): string {
  return Object.hasOwn(OUTCOME_LABELS, name) ? OUTCOME_LABELS[name as Outcome] : name;
}

/** A p-value as people read it: 2 significant digits, "< 0.0001" below that. */
export function pValue(p: number | undefined): string {
  if (p === undefined) return '—';
  return p < 0.0001 ? '< 0.0001' : p.toPrecision(2);
}

/** Why a trigger was kept out of a journey, as the text report and the page name it (ENTRY_SKIP_REASONS). */
export const SKIP_LABELS: readonly (readonly [EntrySkipReason, string])[] = [
  ['limit', 'limit'],
  ['tooOld', 'too old'],
  ['context', 'context type'],
  ['missing', 'missing trigger value'],
  ['tooLarge', 'trigger too large'],
];

const DAY_MS = 24 * 3600 * 1000;

/**
 * Every calendar day from the first to the last of a list in day order (UTC
 * `YYYY-MM-DD`), a day the list lacks as `blank` makes it: a day with no
 * message keeps its place, in a table as on a chart, so a weekly send does
 * not read as a daily one.
 */
export function everyDay<T extends { day: string }>(days: readonly T[], blank: (day: string) => T): T[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const first = Date.parse(`${days[0]?.day}T00:00:00Z`);
  const last = Date.parse(`${days.at(-1)?.day}T00:00:00Z`);
  // A day that is not a date (it never is) keeps the list as it was rather than guessing.
  if (!Number.isFinite(first) || !Number.isFinite(last) || last < first) return [...days];
  const out: T[] = [];
  for (let t = first; t <= last; t += DAY_MS) {
    const key = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(key) ?? blank(key));
  }
  return out;
}

/** Says which versions' results expired, so that their absence does not read as nothing counted. */
export function expiredNote(r: JourneyReport): string | undefined {
  const last = r.expired.at(-1);
  if (last === undefined) return undefined;
  const versions = r.expired.map((e) => e.version).join(', ');
  return `Results of version${r.expired.length > 1 ? 's' : ''} ${versions} expired (kept two years and two days after a version stopped taking entries; the last on ${last.expiredAt.slice(0, 10)}): not counted below.`;
}

/**
 * The note on entries counted before their start step was recorded with them, when the journey has
 * more than one version (with one, its start is theirs).
 */
export function unknownStartNote(r: JourneyReport): string | undefined {
  if (r.enteredAtUnknownStep === 0 || r.versions.length < 2) return undefined;
  return `${grouped(r.enteredAtUnknownStep)} entries were counted before entries recorded the step they began at: they are shown as reaching the current start step, which is right only if no edit moved it.`;
}

/** Text set in HTML: every character that could start markup or end an attribute, as a reference. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The entries of a step versions began at, as the text and the map print them beside its reach:
 * undefined where none began there, or where they are all its reach tells.
 */
export function enteredHere(step: Pick<StepResult, 'entered' | 'reached'>): string | undefined {
  return step.entered === undefined || step.entered === step.reached
    ? undefined
    : `entered here ${grouped(step.entered)}`;
}
