import { enteredAsMerged, limitedAsMerged, reentrySkip } from '#functions/_lib/enrollments.ts';
import type { EntrySkip, SkipDetail, SkipReason } from '#shared/ingest/entry-skip.ts';
import type { ProfileState } from '#shared/profile/state.ts';
import {
  isSegmentJourney,
  notRunnable,
  type SegmentJourney,
  segmentEnrollment,
  segmentMembership,
  segmentTriggerId,
} from '#shared/segment/run.ts';
import { countSkips, noSkips } from '#shared/segment/skips.ts';
import { enrollItems, SCAN_PAGE_SIZE, type ScanItem, type SegmentWork } from '#shared/segment/work.ts';
import type { SegmentDeps } from './deps.ts';
import { enroll } from './enroll.ts';
import { scanProfiles } from './profiles-scan.ts';
import { sendWork } from './queue.ts';
import type { StoredRun } from './run-record.ts';
import type { RunRecord, SegmentAt } from './runs.ts';
import type { PageRead } from './scan-pages.ts';
import { entrySkip, type Tally } from './tally.ts';

/** What a work item did beyond its counts (noted on the tally as they land). */
export type WorkResult = {
  /** Why the item entered no one: its run stopped. */
  skipped?: string;
  /** Why this enroll item was put back on the queue for later instead of carried out. */
  paused?: string;
  /** The run's record when this item completed the run. */
  completed?: RunRecord;
};

/**
 * One Scan page, counted once on the run record by its segment's position:
 * the page is read (or its first read taken up again, see scan-pages.ts); its
 * profiles in the segment and audience whom re-entry lets in become enroll
 * items, numbered on from the segment's items counted so far; the page is
 * counted; then the next page is queued. The page is counted after its enroll
 * items are queued, so the run cannot look complete while a page is
 * uncounted. Only the invocation that counted the page queues the next one,
 * or one retried after the page was counted (whose continuation may not have
 * gone): two consumers of the same page queue its next page once. A page
 * queued twice whose segment has moved past it does nothing. The page's
 * figures go on the tally as its count lands: the attempt that counted it
 * reports it, whatever fails after.
 */
async function scan(
  deps: SegmentDeps,
  item: ScanItem,
  journey: SegmentJourney,
  by: string,
  tally: Tally,
): Promise<WorkResult> {
  const at = await segmentAt(deps, item);
  if (at === 'none') return {};
  const countNow = at === undefined || at.position === item.page * 2;
  const { page, skips } = await readPage(deps, item, journey, at);
  const record = countNow ? await enrollPage(deps, item, page, at?.items ?? 0) : undefined;
  const counted = record !== undefined;
  if (counted) tally.page(page.scanned, page.userIds.length);
  // A run without a record counts nothing: whom its page turned away is still reported, at each reading.
  if (counted || (at === undefined && countNow)) tally.turnedAway(skips);
  // The page's items done before it was counted are counted now: they counted only up to the pages counted.
  if (counted && page.userIds.length > 0) await deps.runs.counted(item, item.segment, record);
  // A record gone counts nothing, and its segment is read to the end all the same.
  if (at !== undefined && !countNow) await deps.runs.counted(item, item.segment);
  // Another consumer counted the page: its next page is that one's.
  else if (at !== undefined && !counted) return {};
  if (page.cursor !== undefined) {
    await sendWork(deps.sqs, deps.queueUrl, [{ ...item, page: item.page + 1, cursor: page.cursor }]);
    await deps.runs.continued(item, item.segment, item.page);
    return {};
  }
  const completed = await deps.runs.complete(item, deps.now(), by);
  return completed === undefined ? {} : { completed };
}

/**
 * The page as first read when it was kept; otherwise read now, and kept
 * unless the run has no record (nothing of it is counted then). With the
 * customers this reading turned away (none when the page was only taken up).
 */
async function readPage(
  deps: SegmentDeps,
  item: ScanItem,
  journey: SegmentJourney,
  at: SegmentAt | undefined,
): Promise<{ page: PageRead; skips: EntrySkip[] }> {
  // Counted already: only its continuation is left, from where the page first ended.
  const kept = at?.position === item.page * 2 + 1 ? await deps.runs.keptPage(item, item) : undefined;
  if (kept !== undefined) return { page: kept, skips: [] };
  const page = await scanProfiles(deps.db, deps.profilesTable, {
    ...item,
    limit: deps.scanPageSize ?? SCAN_PAGE_SIZE,
  });
  const { userIds, skips } = await matching(deps, item, journey, page.profiles);
  const read: PageRead = {
    scanned: page.profiles.length,
    userIds,
    skipped: countSkips(skips.map((skip) => skip.reason)),
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  };
  return { page: at === undefined ? read : await deps.runs.keepPage(item, item, read), skips };
}

/**
 * Where the page's segment stands: `none` when the page has nothing to do
 * (counted and continued already, or of a segment that never reached it);
 * undefined when the run has no record. A page that comes
 * while the page before it is counted but not yet marked continued was queued
 * by it: its arrival shows the continuation went, so the segment moves on.
 */
async function segmentAt(deps: SegmentDeps, item: ScanItem): Promise<SegmentAt | 'none' | undefined> {
  const at = await deps.runs.segmentAt(item, item.segment);
  if (at === undefined) return undefined;
  const before = item.page * 2;
  if (at.position > before + 1 || at.position < before - 1) return 'none';
  if (at.position === before - 1) {
    await deps.runs.continued(item, item.segment, item.page - 1);
    return { ...at, position: before };
  }
  return at;
}

/**
 * Queues the enroll items of a page's matches, numbered from `first`, then
 * counts the page: the run's record as this call's count wrote it, undefined
 * when it did not count it.
 */
async function enrollPage(
  deps: SegmentDeps,
  item: ScanItem,
  page: PageRead,
  first: number,
): Promise<StoredRun | undefined> {
  const work = enrollItems(item.journeyId, item.runId, page.userIds, { segment: item.segment, first });
  await sendWork(deps.sqs, deps.queueUrl, work);
  return deps.runs.scanned(item, {
    segment: item.segment,
    page: item.page,
    scanned: page.scanned,
    matched: page.userIds.length,
    enrollItems: work.length,
    skipped: page.skipped ?? noSkips(),
    last: page.cursor === undefined,
  });
}

/**
 * The customers of a page in the segment and audience whom re-entry and
 * entry limits may let in, and those of the segment turned away, with why.
 */
async function matching(
  deps: SegmentDeps,
  item: ScanItem,
  journey: SegmentJourney,
  profiles: readonly ProfileState[],
): Promise<{ userIds: string[]; skips: EntrySkip[] }> {
  const at = new Date(item.runId);
  const userIds: string[] = [];
  const skips: EntrySkip[] = [];
  const skip = (userId: string, reason: SkipReason, detail?: SkipDetail) =>
    skips.push(entrySkip(journey, userId, reason, detail));
  for (const state of profiles) {
    const { userId } = state.profile;
    const membership = segmentMembership(journey, state, at);
    if (membership === 'outside') continue;
    if (membership === 'audience') {
      skip(userId, 'audience');
      continue;
    }
    // Re-entry is judged by the conditional write of the re-entry record when enrolling.
    const plan = segmentEnrollment(journey, userId, item.runId);
    if (plan === undefined) continue;
    // An id merged into the customer entered already (a visitor who has signed in since).
    if (await enteredAsMerged(deps.enrollments, state.mergedKeys ?? [], plan, segmentTriggerId(item.runId))) {
      // Under `always` only this run's own entry is found, made under the merged id: not a skip.
      if (journey.reentry.mode !== 'always') skip(userId, ...reentrySkip(journey));
      continue;
    }
    // Entries made under those ids count against the journey's entry limit too.
    if (await limitedAsMerged(deps, journey, userId, state.mergedKeys ?? [], item.runId)) {
      skip(userId, 'limit', limitDetail(journey));
      continue;
    }
    userIds.push(userId);
  }
  return { userIds, skips };
}

/** What the entry limit is, for a refusal's report. */
function limitDetail(journey: SegmentJourney): SkipDetail | undefined {
  const limit = journey.trigger.limit;
  return limit === undefined ? undefined : { max: limit.max, per: limit.per };
}

/**
 * Carries out one work item. A journey archived, paused, past its end or
 * redeployed without a segment stops its run: the item enters no one and is
 * counted as done, so the run still completes, its record and completion
 * event saying why (customers left out are entered by a later run, as
 * re-entry allows). `by` names the queue message (the same on every delivery):
 * the message that completes the run announces it.
 */
export async function processWork(
  deps: SegmentDeps,
  item: SegmentWork,
  by: string,
  tally: Tally,
): Promise<WorkResult> {
  const journey = await deps.registry.get(item.journeyId);
  const reason = journey === undefined ? 'unknown journey' : notRunnable(journey, new Date(item.runId));
  if (journey === undefined || reason !== undefined || !isSegmentJourney(journey)) {
    const skipped = reason ?? 'not segment-triggered';
    await deps.runs.stopped(item, item, skipped);
    const completed = await deps.runs.complete(item, deps.now(), by);
    return { skipped, ...(completed && { completed }) };
  }
  return item.kind === 'scan' ? scan(deps, item, journey, by, tally) : enroll(deps, item, journey, by, tally);
}
