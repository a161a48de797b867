import * as z from '../../zod.ts';
import type { EntryLimit } from './limits.ts';

/**
 * The entries an entry limit counts, and the judgement of one more: what the
 * functions need of entry limits at run time, without the language's schemas
 * of the limits themselves (`limits.ts`, classic zod).
 */

/**
 * Why an entry was skipped: bounded codes, counted in stats as `entrySkipped`
 * with the reason. `context`: a trigger value that sets a context variable
 * has another type than declared, or is longer than its maxLength.
 * `missing`: the trigger lacks a value the journey reads from it (a
 * template's `trigger.properties.orderId`, a match or a context variable),
 * so its execution could not run. `tooLarge`: the trigger would make an
 * execution input over its share of Step Functions' state limit
 * (`state-budget.ts`).
 */
export const ENTRY_SKIP_REASONS = ['limit', 'tooOld', 'context', 'missing', 'tooLarge'] as const;
export type EntrySkipReason = (typeof ENTRY_SKIP_REASONS)[number];

/** One counted entry of a customer into a journey: when, and which enrollment (a redelivery finds itself). */
export const CountedEntry = z.object({ at: z.number().check(z.int()), id: z.string() });
export type CountedEntry = z.infer<typeof CountedEntry>;

export type LimitDecision =
  | { status: 'counted'; entries: CountedEntry[]; expiresAt: number }
  | { status: 'again' }
  | { status: 'refused' };

/**
 * Judges one entry against a limit, given the entries recorded so far. Pure.
 * Entries older than the window are dropped, so the list holds at most
 * `limit.max` entries and the record lives one window past its last entry.
 *
 * @param now - the entry time, epoch milliseconds
 * @param windowStart - epoch milliseconds: entries after it count (one exactly a window ago has left it)
 * @param windowEnd - epoch milliseconds: when this entry stops counting
 */
export function judgeEntry(
  recorded: readonly CountedEntry[],
  entry: { id: string; now: number; windowStart: number; windowEnd: number },
  limit: Pick<EntryLimit, 'max'>,
): LimitDecision {
  if (recorded.some((e) => e.id === entry.id)) return { status: 'again' };
  const live = recorded.filter((e) => e.at > entry.windowStart);
  if (live.length >= limit.max) return { status: 'refused' };
  return {
    status: 'counted',
    entries: [...live, { at: entry.now, id: entry.id }],
    expiresAt: Math.ceil(entry.windowEnd / 1000),
  };
}
