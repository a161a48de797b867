import type { EntrySkipReason } from '../journey/entry/entries.ts';
import type { Rate } from './statistics.ts';

/** Number formats shared by the text and HTML reports. */

export function percent(value: number | undefined, digits = 1): string {
  return value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

export function interval(rate: Rate | undefined): string {
  return rate === undefined ? '—' : `${percent(rate.low)}–${percent(rate.high)}`;
}

export function signedPercent(value: number | undefined): string {
  if (value === undefined) return '—';
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}

export function amount(value: number | undefined): string {
  return value === undefined ? '—' : value.toFixed(2);
}

/** A p-value as people read it: 3 significant digits, "< 0.0001" below that. */
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
