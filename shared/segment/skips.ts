import type { SkipReason } from '../ingest/entry-skip.ts';
import { ENTRY_SKIP_REASONS } from '../journey/entry/entries.ts';

/**
 * The entries a segment run turned away, counted by reason. A run judges
 * only the profile and the journey's rules (no event), so its reasons are a
 * fixed few of ingest's: the audience, re-entry (entered once, or within
 * the cooldown), the entry limit, and an execution input too large. Counts
 * are kept per reason, never per customer: a run's figures stay the same
 * size whatever the segment.
 */
export const SEGMENT_SKIP_REASONS = ['audience', 'reentry', 'cooldown', 'limit', 'tooLarge'] as const;
export type SegmentSkipReason = (typeof SEGMENT_SKIP_REASONS)[number] & SkipReason;

/** How many entries were skipped for each reason (every reason present, 0 when none). */
export type SkipCounts = Record<SegmentSkipReason, number>;

/** No entry skipped. */
export function noSkips(): SkipCounts {
  return { audience: 0, reentry: 0, cooldown: 0, limit: 0, tooLarge: 0 };
}

/** True when a reason is one a segment run counts. */
export function isSegmentSkipReason(reason: string): reason is SegmentSkipReason {
  return (SEGMENT_SKIP_REASONS as readonly string[]).includes(reason);
}

/** The counts of a list of reasons (reasons a run does not count are left out). */
export function countSkips(reasons: Iterable<string>): SkipCounts {
  const counts = noSkips();
  for (const reason of reasons) if (isSegmentSkipReason(reason)) counts[reason] += 1;
  return counts;
}

/** The sum of two counts. */
export function addSkips(a: SkipCounts, b: SkipCounts): SkipCounts {
  const sum = noSkips();
  for (const reason of SEGMENT_SKIP_REASONS) sum[reason] = a[reason] + b[reason];
  return sum;
}

/**
 * Counts read back from a stored value: known reasons whose value is a
 * non-negative number; anything else (a value written by an older release,
 * or none) counts 0.
 */
export function skipsFrom(value: unknown): SkipCounts {
  const counts = noSkips();
  if (typeof value !== 'object' || value === null) return counts;
  for (const reason of SEGMENT_SKIP_REASONS) {
    const n: unknown = Object.hasOwn(value, reason) ? Reflect.get(value, reason) : undefined;
    if (typeof n === 'number' && Number.isFinite(n) && n > 0) counts[reason] = n;
  }
  return counts;
}

/** True when nothing was skipped. */
export function noneSkipped(counts: SkipCounts): boolean {
  return SEGMENT_SKIP_REASONS.every((reason) => counts[reason] === 0);
}

/** The reasons ingest counts in the journey's stats (`entrySkipped`): logged at info, the others at debug. */
export function isCountedSkip(reason: SkipReason): boolean {
  return (ENTRY_SKIP_REASONS as readonly string[]).includes(reason);
}
