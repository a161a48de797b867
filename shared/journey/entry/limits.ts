import * as z from 'zod';
import { IsoDuration } from '../../conditions/schema.ts';
import { isLimitWindow, MAX_ENTRIES_PER_WINDOW, RULE_MESSAGES } from '../rules.ts';
import {
  type CountedEntry,
  ENTRY_SKIP_REASONS,
  type EntrySkipReason,
  judgeEntry,
  type LimitDecision,
} from './entries.ts';

export { type CountedEntry, ENTRY_SKIP_REASONS, type EntrySkipReason, judgeEntry, type LimitDecision };

/**
 * Entry limits on a trigger: how often one customer may enter a journey
 * (across re-entries and correlation keys), and how old a trigger event may
 * be and still enroll. Both are judged at entry; a refused entry is counted
 * as "entry skipped" with its reason, never silently dropped.
 */

export const EntryLimit = z
  .object({
    max: z
      .number()
      .int()
      .min(1)
      .max(MAX_ENTRIES_PER_WINDOW)
      .describe(`Entries at most per customer in the window (${MAX_ENTRIES_PER_WINDOW} at most).`),
    per: IsoDuration.refine(isLimitWindow, { message: RULE_MESSAGES.limitWindow }).describe(
      'The rolling window, e.g. PT1H, P1D, P7D.',
    ),
  })
  .strict()
  .describe(
    'At most `max` entries per customer per rolling window, whatever the re-entry rule or correlation key allows; extra triggers are counted as entry skipped (limit).',
  );
export type EntryLimit = z.infer<typeof EntryLimit>;

export const MaxAge = IsoDuration.describe(
  'A trigger event older than this when it reaches ingest (its timestamp) does not enroll: replays and late deliveries are counted as entry skipped (tooOld).',
);
