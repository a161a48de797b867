import * as z from 'zod';
import { IsoDuration } from '../../conditions/schema.ts';
import { durationSeconds } from '../../time.ts';

/**
 * Entry limits on a trigger: how often one customer may enter a journey
 * (across re-entries and correlation keys), and how old a trigger event may
 * be and still enroll. Both are judged at entry; a refused entry is counted
 * as "entry skipped" with its reason, never silently dropped.
 */

/** The most entries a limit may allow per window: the record keeps one timestamp per entry. */
export const MAX_ENTRIES_PER_WINDOW = 100;
/** The longest limit window (the record of entries lives this long after the last one). */
export const MAX_LIMIT_WINDOW = 'P366D';
const MAX_LIMIT_SECONDS = 366 * 24 * 3600;

export const EntryLimit = z
  .object({
    max: z
      .number()
      .int()
      .min(1)
      .max(MAX_ENTRIES_PER_WINDOW)
      .describe(`Entries at most per customer in the window (${MAX_ENTRIES_PER_WINDOW} at most).`),
    per: IsoDuration.refine((d) => (durationSeconds(d) ?? 0) <= MAX_LIMIT_SECONDS, {
      message: `must be at most ${MAX_LIMIT_WINDOW}`,
    }).describe('The rolling window, e.g. PT1H, P1D, P7D.'),
  })
  .strict()
  .describe(
    'At most `max` entries per customer per rolling window, whatever the re-entry rule or correlation key allows; extra triggers are counted as entry skipped (limit).',
  );
export type EntryLimit = z.infer<typeof EntryLimit>;

export const MaxAge = IsoDuration.describe(
  'A trigger event older than this when it reaches ingest (its timestamp) does not enroll: replays and late deliveries are counted as entry skipped (tooOld).',
);

/**
 * Why an entry was skipped: bounded codes, counted in stats as `entrySkipped`
 * with the reason. `context`: a trigger value that sets a context variable
 * has another type than declared, or is longer than its maxLength.
 */
export const ENTRY_SKIP_REASONS = ['limit', 'tooOld', 'context'] as const;
export type EntrySkipReason = (typeof ENTRY_SKIP_REASONS)[number];

/** One counted entry of a customer into a journey: when, and which enrollment (a redelivery finds itself). */
export const CountedEntry = z.object({ at: z.number().int(), id: z.string() });
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
 * @param windowStart - epoch milliseconds: entries at or after it count
 * @param windowEnd - epoch milliseconds: when this entry stops counting
 */
export function judgeEntry(
  recorded: readonly CountedEntry[],
  entry: { id: string; now: number; windowStart: number; windowEnd: number },
  limit: EntryLimit,
): LimitDecision {
  if (recorded.some((e) => e.id === entry.id)) return { status: 'again' };
  const live = recorded.filter((e) => e.at >= entry.windowStart);
  if (live.length >= limit.max) return { status: 'refused' };
  return {
    status: 'counted',
    entries: [...live, { at: entry.now, id: entry.id }],
    expiresAt: Math.ceil(entry.windowEnd / 1000),
  };
}
