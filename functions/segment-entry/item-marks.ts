import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OwedCount } from '#functions/_lib/enrollment-items.ts';
import { addSkips, noneSkipped, noSkips, type SkipCounts, skipsFrom } from '#shared/segment/skips.ts';
import {
  addSkipped,
  isConditionFailure,
  numberIn,
  progress,
  type RunKey,
  runExpiry,
  runKey,
  type StoredRun,
  segmentAttributes,
} from './run-record.ts';

/**
 * Enroll items counted once. Each enroll item has a number in its Scan
 * segment (0, 1, 2… in the order its pages were counted). An item done writes
 * a mark of its own (`<run id>#item#<segment>#<number>`, expiring with the
 * run's record) holding the customers it entered and those it turned away,
 * by reason; the run's record counts
 * marks only in order, moving the segment's "done" number over an unbroken run
 * of marks with a write conditional on where it stood. So a mark is counted
 * once however often its item is delivered, whatever order items finish in,
 * and the record holds one number per segment, not one per item.
 *
 * Whoever writes a mark then counts from the segment's done number, so a mark
 * is never left uncounted: the last of an unbroken run of marks to be written
 * sees all of them, and a page counted after its items finished counts them.
 * Items are counted only below the segment's item total (the pages counted),
 * so a page's items can never complete the run before the page is counted.
 *
 * The mark is also what an item owes once: the journey's stats count of the
 * entries too large for their execution input (`owedAt`, the mark's time,
 * while that count is pending: the count guard tells a retry whether it
 * landed), and the report of whom it turned away (by the delivery that wrote
 * the mark).
 */

/** Marks read per query: the most one count moves the done number. */
const WINDOW = 100;

/** A mark owing a count stays at least this long (seconds): its retry may come from the dead-letter queue. */
const OWED_GRACE_SECONDS = 7 * 24 * 3600;

/** Numbers are zero-padded so the marks of a segment sort in item order. */
const NUMBER_DIGITS = 12;

export type ItemNumber = { segment: number; number: number };

/** What an enroll item did: the customers it entered, and those it turned away by reason. */
export type ItemOutcome = { entered: number; skipped: SkipCounts };

/**
 * What writing an item's mark found: whether this call wrote it (a delivery
 * again finds it written), and the too-large entries' count it owes, when
 * still pending.
 */
export type ItemMarked = { wrote: boolean; owed?: OwedCount };

/** An unbroken run of marks: how many, and what their items did. */
type Marks = { count: number } & ItemOutcome;

export class ItemMarks {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private markKey(run: RunKey, segment: number, number: number) {
    const padded = String(number).padStart(NUMBER_DIGITS, '0');
    return { pk: runKey(run).pk, sk: `${run.runId}#item#${segment}#${padded}` };
  }

  /**
   * Records an enroll item done with the customers it entered and those it
   * turned away, owing the journey's count of those too large (at `at`, epoch
   * milliseconds) when there are some. The first mark written stays: a
   * redelivered item finds its customers entered already and its mark there,
   * and the count it still owes, if any.
   */
  async mark(run: RunKey, item: ItemNumber, outcome: ItemOutcome, at: number): Promise<ItemMarked> {
    const { entered, skipped } = outcome;
    const owes = skipped.tooLarge > 0;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.markKey(run, item.segment, item.number),
            entered,
            ...(noneSkipped(skipped) ? {} : { skipped }),
            ...(owes ? { owedAt: at } : {}),
            expiresAt: owes
              ? Math.max(runExpiry(run), Math.floor(at / 1000) + OWED_GRACE_SECONDS)
              : runExpiry(run),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { wrote: true, ...(owes && { owed: { pendingAt: at, retry: false } }) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: this.markKey(run, item.segment, item.number),
        ConsistentRead: true,
      }),
    );
    const owedAt: unknown = out.Item?.owedAt;
    return { wrote: false, ...(typeof owedAt === 'number' && { owed: { pendingAt: owedAt, retry: true } }) };
  }

  /** Takes the owed count off an item's mark once written. */
  async settle(run: RunKey, item: ItemNumber): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.markKey(run, item.segment, item.number),
          UpdateExpression: 'REMOVE owedAt',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Counts what can be counted once an item's mark is written (`mark`): the
   * run's record as it stands after, undefined when the run has none
   * (expired, or never claimed: nothing is counted).
   */
  async done(run: RunKey, item: ItemNumber): Promise<StoredRun | undefined> {
    // The mark before the record is read: a page counted after this read finds the mark.
    const record = await this.read(run);
    if (record === undefined) return undefined;
    // Counted already (a redelivery after the count landed): the marks after it are their writers' to count.
    if (numberIn(record, segmentAttributes(item.segment)['#segmentItemsDone']) > item.number) return record;
    return this.count(run, item.segment, record);
  }

  /**
   * Moves a segment's done number over the unbroken run of marks after it,
   * as far as the segment's counted items go, adding their customers to the
   * run's figures; again while another count moved it first, or a full window
   * was counted. Returns the record as it stands after.
   */
  async count(run: RunKey, segment: number, known?: StoredRun): Promise<StoredRun | undefined> {
    const attributes = segmentAttributes(segment);
    let record = known ?? (await this.read(run));
    while (record !== undefined) {
      const from = numberIn(record, attributes['#segmentItemsDone']);
      const to = Math.min(numberIn(record, attributes['#segmentItems']), from + WINDOW);
      if (from >= to) return record;
      const marks = await this.unbroken(run, segment, from, to);
      if (marks.count === 0) return record;
      const moved = await this.advance(run, segment, from, marks);
      if (moved !== undefined && marks.count < to - from) return moved;
      record = moved ?? (await this.read(run));
    }
    return undefined;
  }

  private async read(run: RunKey): Promise<StoredRun | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: runKey(run), ConsistentRead: true }),
    );
    return out.Item;
  }

  /** The marks numbered `from` onwards, below `to`, up to the first missing one: how many, whom they entered and turned away. */
  private async unbroken(run: RunKey, segment: number, from: number, to: number): Promise<Marks> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': runKey(run).pk,
          ':from': this.markKey(run, segment, from).sk,
          ':to': this.markKey(run, segment, to - 1).sk,
        },
        ConsistentRead: true,
        Limit: to - from,
      }),
    );
    let count = 0;
    let entered = 0;
    let skipped = noSkips();
    for (const mark of out.Items ?? []) {
      if (mark.sk !== this.markKey(run, segment, from + count).sk) break;
      count += 1;
      entered += typeof mark.entered === 'number' ? mark.entered : 0;
      // A mark written by an earlier release has no skip counts: none.
      skipped = addSkips(skipped, skipsFrom(mark.skipped));
    }
    return { count, entered, skipped };
  }

  /** Counts marks from `from` on, only if no other count moved the done number since it was read. */
  private advance(run: RunKey, segment: number, from: number, marks: Marks): Promise<StoredRun | undefined> {
    const skipped = addSkipped(marks.skipped);
    return progress(this.db, this.table, run, {
      expression: [
        'SET #segmentItemsDone = :to ADD #itemsDone :count',
        '#entered :entered',
        ...skipped.clauses,
      ].join(', '),
      values: {
        ':to': from + marks.count,
        ':count': marks.count,
        ':entered': marks.entered,
        ...skipped.values,
      },
      from: { segment, attribute: '#segmentItemsDone', value: from },
    });
  }
}
