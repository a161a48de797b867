import { recordSkip, startEnrollment } from '#functions/_lib/enrollments.ts';
import type { RegistryEntry } from '#functions/_lib/registry.ts';
import type { EntrySkip, SkipDetail, SkipReason } from '#shared/ingest/entry-skip.ts';
import { pauseReason } from '#shared/segment/headroom.ts';
import { segmentEnrollment } from '#shared/segment/run.ts';
import { countSkips } from '#shared/segment/skips.ts';
import type { EnrollItem } from '#shared/segment/work.ts';
import type { SegmentDeps } from './deps.ts';
import { inPool, pacedStart } from './pacing.ts';
import { MAX_DELAY_SECONDS, sendWork } from './queue.ts';
import type { ItemMarked, RunRecord } from './runs.ts';
import { entrySkip, type Tally } from './tally.ts';

/** What an enroll item did: why it was put back for later, or the run's record when it completed the run. */
export type EnrollResult = { paused?: string; completed?: RunRecord };

/**
 * Enrolls a batch of matched customers, several at once, each start paced
 * to the worker's share of the rate and retried after backoff while
 * throttled. The profile write enforces re-entry again and the name is the
 * run's, so a redelivered item enrolls no one twice. Whom it turned away is
 * counted on its mark and reported by the delivery that wrote the mark, once.
 */
export async function enroll(
  deps: SegmentDeps,
  item: EnrollItem,
  journey: RegistryEntry,
  by: string,
  tally: Tally,
): Promise<EnrollResult> {
  const paused = pauseReason((await deps.openExecutions.count()).account);
  if (paused !== undefined) {
    // Paused, never dropped: the item comes back when executions have had time to end.
    await sendWork(deps.sqs, deps.queueUrl, [item], MAX_DELAY_SECONDS);
    return { paused };
  }
  const { started, skips, tooLarge } = await startAll(deps, item, journey);
  tally.totals.enrolled += started;
  const outcome = { entered: started, skipped: countSkips(skips.map((skip) => skip.reason)) };
  const marked = await deps.runs.enrolled(item, item, outcome, deps.now());
  if (marked.wrote) tally.turnedAway(skips);
  await countTooLarge(deps, item, journey, tooLarge, marked);
  const complete = await deps.runs.itemsCounted(item, item);
  const completed = complete ? await deps.runs.complete(item, deps.now(), by) : undefined;
  return completed === undefined ? {} : { completed };
}

/** The item's starts: how many entered, whom it turned away, and the enrollments too large to start. */
async function startAll(
  deps: SegmentDeps,
  item: EnrollItem,
  journey: RegistryEntry,
): Promise<{ started: number; skips: EntrySkip[]; tooLarge: string[] }> {
  const trigger = { type: 'segment' as const, timestamp: item.runId };
  // One report per customer: a start retried after a throttle is still one customer's entry.
  const turnedAway = new Map<string, EntrySkip>();
  const tooLarge = new Set<string>();
  const started = await inPool(item.userIds, deps.pacing.inFlight, async (userId) => {
    const plan = segmentEnrollment(journey, userId, item.runId);
    if (plan === undefined) return false;
    const onSkip = (reason: SkipReason, detail?: SkipDetail) => {
      turnedAway.set(userId, entrySkip(journey, userId, reason, detail));
      if (reason === 'tooLarge') tooLarge.add(plan.enrollmentId);
    };
    // Too large is counted below, under the item's mark, not by the start.
    const entry = { userId, at: item.runId, trigger, tooLarge: 'counted' as const, onSkip };
    return pacedStart(deps.pacing, () => startEnrollment(deps, plan, entry));
  });
  return {
    started: started.filter(Boolean).length,
    skips: [...turnedAway.values()],
    tooLarge: [...tooLarge],
  };
}

/**
 * Counts the item's entries too large for their execution input in the
 * journey's stats, as its mark owes them: each under the count guard (its
 * enrollment's id, the mark's time), so a redelivery, finding the mark still
 * owing, counts what had not landed; then the mark is settled.
 */
async function countTooLarge(
  deps: SegmentDeps,
  item: EnrollItem,
  journey: RegistryEntry,
  enrollmentIds: readonly string[],
  marked: ItemMarked,
): Promise<void> {
  const { owed } = marked;
  if (owed === undefined) return;
  for (const enrollmentId of enrollmentIds)
    await recordSkip(deps, journey, 'tooLarge', { id: `${enrollmentId}#tooLarge`, ...owed });
  await deps.runs.settleItem(item, item);
}
