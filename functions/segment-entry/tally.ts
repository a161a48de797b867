import type { RegistryEntry } from '#functions/_lib/registry.ts';
import type { EntrySkip, SkipDetail, SkipReason } from '#shared/ingest/entry-skip.ts';
import type { RunRecord } from './runs.ts';

/**
 * What a batch's work counted, noted as each count's write answers: by the
 * attempt whose write counted a page (its profiles scanned and matched, and
 * whom it turned away) or an enroll item (whom it turned away), so an item
 * that fails after its count still reports it, and its retry, finding it
 * counted, adds nothing. `enrolled` is the starts the attempt made (a
 * redelivery finds its starts made and says them again): the stats write
 * counts entries.
 */
export type Tally = {
  totals: { scanned: number; matched: number; enrolled: number };
  /** The customers turned away, each with why (reported for logs and timelines; the run's record counts). */
  skipped: EntrySkip[];
};

/** A run this batch completed and announced. */
export type CompletedRun = RunRecord & { journeyId: string; runId: string };

export function emptyTally(): Tally {
  return { totals: { scanned: 0, matched: 0, enrolled: 0 }, skipped: [] };
}

/** One customer turned away, as ingest reports it. */
export function entrySkip(
  journey: Pick<RegistryEntry, 'journeyId' | 'version'>,
  userId: string,
  reason: SkipReason,
  detail?: SkipDetail,
): EntrySkip {
  return {
    userId,
    journeyId: journey.journeyId,
    version: journey.version,
    reason,
    ...(detail && { detail }),
  };
}
