import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { noSkips, type SkipCounts } from '#shared/segment/skips.ts';
import type { SegmentWork } from '#shared/segment/work.ts';
import { type ItemMarked, ItemMarks, type ItemNumber, type ItemOutcome } from './item-marks.ts';
import {
  addSkipped,
  isConditionFailure,
  looksComplete,
  numberIn,
  parseRunRecord,
  progress,
  type RunKey,
  type RunRecord,
  runExpiry,
  runKey,
  type StoredRun,
  segmentAttributes,
  update,
} from './run-record.ts';
import { type PageKey, type PageRead, ScanPages } from './scan-pages.ts';

export type { ItemMarked, ItemOutcome } from './item-marks.ts';
export type { RunKey, RunRecord } from './run-record.ts';

/**
 * One record per segment run (stats table, `segment-run#<journey>` / run id,
 * expiring): it makes the scheduled fan-out happen once, and its counters
 * tell when the run is complete. Each Scan segment has a position on it
 * (`scan<segment>`, one number per segment, so the record stays bounded):
 * 2k while page k is to be counted, 2k+1 once it is counted and until its
 * continuation is queued. A page is counted, and continued, only from the
 * position before it, so a page retried or queued twice is counted once.
 * Enroll items are counted once through their marks (see item-marks.ts).
 * The entries a run turned away are counted with what turned them away: a
 * page's with the page, an item's with its mark, one number per reason.
 */

export type ScanProgress = {
  segment: number;
  page: number;
  scanned: number;
  matched: number;
  enrollItems: number;
  /** Its profiles in the segment the run turned away, by reason. */
  skipped: SkipCounts;
  last: boolean;
};

/** Where a Scan segment stands: its position, and the number its next enroll item takes. */
export type SegmentAt = { position: number; items: number };

export class SegmentRuns {
  private readonly marks: ItemMarks;
  private readonly pages: ScanPages;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    this.marks = new ItemMarks(db, table);
    this.pages = new ScanPages(db, table);
  }

  /** Keeps a Scan page as first read (see scan-pages.ts): the read kept. */
  keepPage(run: RunKey, page: PageKey, read: PageRead): Promise<PageRead> {
    return this.pages.keep(run, page, read);
  }

  /** A Scan page as first read, when it was kept. */
  keptPage(run: RunKey, page: PageKey): Promise<PageRead | undefined> {
    return this.pages.kept(run, page);
  }

  /**
   * Claims the fan-out of a run in `segments` Scan segments: the segments to
   * queue, undefined when an earlier invocation already queued it. A claim
   * whose fan-out failed part-way is claimed again: its scan items are queued
   * again, in the segments first claimed (a table's size may read otherwise
   * by then, and pages of two divisions of the table would read customers
   * twice or not at all), and enrollment names keep that harmless.
   */
  async claim(run: RunKey, segments: number, now: Date): Promise<number | undefined> {
    try {
      const out = await this.db.send(
        update({
          TableName: this.table,
          Key: runKey(run),
          UpdateExpression:
            'SET #segments = if_not_exists(#segments, :segments), #startedAt = if_not_exists(#startedAt, :now), ' +
            'expiresAt = :exp, #items = if_not_exists(#items, :zero), #itemsDone = if_not_exists(#itemsDone, :zero)',
          // Protects a run that was fanned out: a retried invocation must not scan it twice.
          ConditionExpression: 'attribute_not_exists(#queuedAt)',
          ExpressionAttributeValues: {
            ':segments': segments,
            ':now': now.toISOString(),
            ':exp': runExpiry(run),
            ':zero': 0,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return numberIn(out.Attributes ?? {}, 'segments') || segments;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Marks the run's scan items as queued (its fan-out is done). */
  async queued(run: RunKey, now: Date): Promise<void> {
    await this.progress(run, 'SET #queuedAt = :now', { ':now': now.toISOString() });
  }

  /**
   * Where a Scan segment stands (see above): position 0 and item 0 for a
   * segment not begun; undefined when the run has no record (expired, or
   * never claimed).
   */
  async segmentAt(run: RunKey, segment: number): Promise<SegmentAt | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: runKey(run), ConsistentRead: true }),
    );
    if (out.Item === undefined) return undefined;
    const attributes = segmentAttributes(segment);
    return {
      position: numberIn(out.Item, attributes['#position']),
      items: numberIn(out.Item, attributes['#segmentItems']),
    };
  }

  /**
   * Counts a scan page, once: only from the position before it; a segment's
   * last page adds the segment to the finished set. The record as written,
   * undefined when the page was counted already (or the run has no record):
   * the caller then counts the page's enroll items already done (`counted`).
   */
  async scanned(run: RunKey, progress: ScanProgress): Promise<StoredRun | undefined> {
    const finished = progress.last ? ', #segmentsDone :segment' : '';
    const skipped = addSkipped(progress.skipped);
    const before = progress.page * 2;
    const record = await this.progress(
      run,
      'SET #position = :after ' +
        `ADD #scanned :scanned, #matched :matched, #items :items, #segmentItems :items${finished}` +
        skipped.clauses.map((clause) => `, ${clause}`).join(''),
      {
        ':after': before + 1,
        ':scanned': progress.scanned,
        ':matched': progress.matched,
        ':items': progress.enrollItems,
        ...(progress.last ? { ':segment': new Set([String(progress.segment)]) } : {}),
        ...skipped.values,
      },
      { segment: progress.segment, before },
    );
    return record;
  }

  /**
   * Counts a segment's enroll items done and not yet counted: after a page is
   * counted (from the record its count wrote), or retried after it was.
   */
  async counted(run: RunKey, segment: number, known?: StoredRun): Promise<void> {
    await this.marks.count(run, segment, known);
  }

  /** Moves a segment past a counted page once its continuation is queued. */
  async continued(run: RunKey, segment: number, page: number): Promise<void> {
    await this.progress(
      run,
      'SET #position = :after',
      { ':after': page * 2 + 2 },
      { segment, before: page * 2 + 1 },
    );
  }

  /**
   * Marks an enroll item carried out, with the customers it entered and those
   * it turned away, once (see item-marks.ts); `now` is the time of the count
   * the mark owes, if any. The caller then counts the marks (`itemsCounted`).
   * An item without a number (queued before items were numbered) is counted
   * as it comes.
   */
  async enrolled(
    run: RunKey,
    item: Partial<ItemNumber>,
    outcome: ItemOutcome,
    now: Date,
  ): Promise<ItemMarked> {
    const { segment, number } = item;
    if (segment !== undefined && number !== undefined)
      return this.marks.mark(run, { segment, number }, outcome, now.getTime());
    const skipped = addSkipped(outcome.skipped);
    await this.progress(run, ['ADD #itemsDone :one', '#entered :entered', ...skipped.clauses].join(', '), {
      ':one': 1,
      ':entered': outcome.entered,
      ...skipped.values,
    });
    // Counted as it comes, so its too-large entries are too: under the guard, as a first attempt.
    const owes = outcome.skipped.tooLarge > 0;
    return { wrote: true, ...(owes && { owed: { pendingAt: now.getTime(), retry: false } }) };
  }

  /** Counts an enroll item's mark with the unbroken run of marks it joins: true when the run may be complete now. */
  async itemsCounted(run: RunKey, item: Partial<ItemNumber>): Promise<boolean> {
    const { segment, number } = item;
    if (segment === undefined || number === undefined) return true;
    const record = await this.marks.done(run, { segment, number });
    return record !== undefined && looksComplete(record);
  }

  /** Takes the count an enroll item's mark owed off it, once written. */
  async settleItem(run: RunKey, item: Partial<ItemNumber>): Promise<void> {
    const { segment, number } = item;
    if (segment !== undefined && number !== undefined) await this.marks.settle(run, { segment, number });
  }

  /**
   * Counts a work item of a run that stopped (its journey can no longer be
   * entered) as carried out, so the run still completes and says why: a scan
   * item ends its segment, an enroll item enters no one. The first reason is
   * kept. Only on a run that was claimed: a stray item writes nothing.
   */
  async stopped(run: RunKey, work: SegmentWork, reason: string): Promise<void> {
    const why = 'SET #stopped = if_not_exists(#stopped, :reason)';
    if (work.kind === 'enroll') {
      await this.progress(run, why, { ':reason': reason });
      await this.enrolled(run, work, { entered: 0, skipped: noSkips() }, new Date(run.runId));
      await this.itemsCounted(run, work);
      return;
    }
    await this.progress(run, `ADD #segmentsDone :segment ${why}`, {
      ':segment': new Set([String(work.segment)]),
      ':reason': reason,
    });
  }

  /**
   * Marks the run complete once every segment is scanned and every enroll
   * item carried out: the record while its completion is still to be
   * announced, undefined otherwise (not yet, announced already, or being
   * announced from another message). The message that completed the run
   * announces it: one that died before announcing is delivered again, and
   * that delivery, `by` the same message, announces it.
   */
  async complete(run: RunKey, now: Date, by: string): Promise<RunRecord | undefined> {
    try {
      const out = await this.db.send(
        update({
          TableName: this.table,
          Key: runKey(run),
          UpdateExpression:
            'SET #completedAt = if_not_exists(#completedAt, :now), #completedBy = if_not_exists(#completedBy, :by)',
          // Completes once, and only when no work of the run is left.
          ConditionExpression:
            'attribute_exists(#queuedAt) AND attribute_not_exists(#announcedAt) AND ' +
            '(attribute_not_exists(#completedBy) OR #completedBy = :by) AND ' +
            'size(#segmentsDone) >= #segments AND #itemsDone >= #items',
          ExpressionAttributeValues: { ':now': now.toISOString(), ':by': by },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parseRunRecord(out.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Marks the run's completion as announced: later calls of `complete` return
   * nothing. True when this call marked it (the run is reported completed once).
   */
  async announced(run: RunKey, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        update({
          TableName: this.table,
          Key: runKey(run),
          UpdateExpression: 'SET #announcedAt = :now',
          ConditionExpression: 'attribute_exists(#startedAt) AND attribute_not_exists(#announcedAt)',
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Writes progress on the run's record while it exists, from a segment's position when `at` says. */
  private progress(
    run: RunKey,
    expression: string,
    values: Record<string, unknown>,
    at?: { segment: number; before: number },
  ): Promise<StoredRun | undefined> {
    const from = at && { segment: at.segment, attribute: '#position' as const, value: at.before };
    return progress(this.db, this.table, run, { expression, values, ...(from && { from }) });
  }
}
