import type { RegistryEntry } from '#functions/_lib/registry.ts';
import type { EntrySkip, SkipDetail, SkipReason } from '#shared/ingest/entry-skip.ts';
import type { RunRecord } from './runs.ts';

/** A run this batch completed and announced. */
export type CompletedRun = RunRecord & { journeyId: string; runId: string };

/**
 * Told of each count as its write answers, to publish it at once (the
 * handler's metrics and log lines): an attempt that fails or dies after a
 * count has reported it, and its retry, finding it counted, reports nothing.
 */
export type CountSink = {
  /** A page counted: its profiles scanned and those matched. */
  page(figures: { scanned: number; matched: number }): void;
  /** Customers turned away, by the page or enroll item that counted them. */
  skipped(skips: readonly EntrySkip[]): void;
  /** A run marked announced. */
  completed(run: CompletedRun): void;
};

/**
 * What a batch's work counted, noted as each count's write answers (and
 * passed on to the sink): by the attempt whose write counted a page (its
 * profiles scanned and matched, and whom it turned away), wrote an enroll
 * item's mark (whom it turned away) or marked a run announced. `enrolled` is
 * the starts the attempt made (a redelivery finds its starts made and says
 * them again): the stats write counts entries.
 */
export class Tally {
  readonly totals = { scanned: 0, matched: 0, enrolled: 0 };
  /** The customers turned away, each with why (reported for logs and timelines; the run's record counts). */
  readonly skipped: EntrySkip[] = [];
  /** Runs this batch announced complete (each run once, whichever delivery announced it). */
  readonly completed: CompletedRun[] = [];

  constructor(private readonly sink?: CountSink) {}

  page(scanned: number, matched: number): void {
    this.totals.scanned += scanned;
    this.totals.matched += matched;
    this.sink?.page({ scanned, matched });
  }

  turnedAway(skips: readonly EntrySkip[]): void {
    if (skips.length === 0) return;
    this.skipped.push(...skips);
    this.sink?.skipped(skips);
  }

  announced(run: CompletedRun): void {
    this.completed.push(run);
    this.sink?.completed(run);
  }
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
