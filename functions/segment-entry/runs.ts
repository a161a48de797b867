import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '#shared/zod.ts';

/**
 * One record per segment run (stats table, `segment-run#<journey>` / run id,
 * expiring): it makes the scheduled fan-out happen once, and its counters
 * tell when the run is complete. Each Scan segment has a position on it
 * (`scan<segment>`, one number per segment, so the record stays bounded):
 * 2k while page k is to be counted, 2k+1 once it is counted and until its
 * continuation is queued. A page is counted, and continued, only from the
 * position before it, so a page retried or queued twice is counted once.
 * An enroll item redelivered after it was counted is counted again.
 */

/** A run record outlives every retry of its schedule invocation (Scheduler retries for at most a day). */
const RUN_RECORD_SECONDS = 30 * 24 * 3600;

const RunRecord = z.object({
  segments: z.number(),
  startedAt: z.string(),
  completedAt: z.optional(z.string()),
  scanned: z._default(z.number(), 0),
  matched: z._default(z.number(), 0),
  entered: z._default(z.number(), 0),
  /** Why the run stopped before entering everyone (its journey paused, archived, ended or redeployed without a segment). */
  stopped: z.optional(z.string()),
});
export type RunRecord = z.infer<typeof RunRecord>;

export type RunKey = { journeyId: string; runId: string };
export type ScanProgress = {
  segment: number;
  page: number;
  scanned: number;
  matched: number;
  enrollItems: number;
  last: boolean;
};

/** Attribute names, always through placeholders (several are DynamoDB reserved words). */
const NAMES = {
  '#segments': 'segments',
  '#startedAt': 'startedAt',
  '#queuedAt': 'queuedAt',
  '#completedAt': 'completedAt',
  '#scanned': 'scanned',
  '#matched': 'matched',
  '#entered': 'entered',
  '#items': 'enrollItems',
  '#itemsDone': 'enrollItemsDone',
  '#segmentsDone': 'segmentsDone',
  '#stopped': 'stopped',
  '#announcedAt': 'announcedAt',
} as const;

/** The attribute holding a Scan segment's position. */
function positionOf(segment: number): string {
  return `scan${segment}`;
}

/** The placeholders an expression uses (DynamoDB rejects unused ones). */
function names(expression: string, segment?: number): Record<string, string> {
  const used = new Set(expression.match(/#\w+/g));
  const all = segment === undefined ? NAMES : { ...NAMES, '#position': positionOf(segment) };
  return Object.fromEntries(Object.entries(all).filter(([placeholder]) => used.has(placeholder)));
}

/** An update whose attribute names are resolved from NAMES. */
function update(input: {
  TableName: string;
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeValues: Record<string, unknown>;
  ReturnValues?: 'ALL_NEW';
  /** The Scan segment whose position `#position` names. */
  segment?: number;
}): UpdateCommand {
  const { segment, ...command } = input;
  const used = `${input.UpdateExpression} ${input.ConditionExpression ?? ''}`;
  return new UpdateCommand({ ...command, ExpressionAttributeNames: names(used, segment) });
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

export class SegmentRuns {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(run: RunKey) {
    return { pk: `segment-run#${run.journeyId}`, sk: run.runId };
  }

  /**
   * Claims the fan-out of a run: false when an earlier invocation already
   * queued it. A claim whose fan-out failed part-way is claimed again: its
   * scan items are queued again, and enrollment names keep that harmless.
   */
  async claim(run: RunKey, segments: number, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        update({
          TableName: this.table,
          Key: this.key(run),
          UpdateExpression:
            'SET #segments = :segments, #startedAt = if_not_exists(#startedAt, :now), expiresAt = :exp, ' +
            '#items = if_not_exists(#items, :zero), #itemsDone = if_not_exists(#itemsDone, :zero)',
          // Protects a run that was fanned out: a retried invocation must not scan it twice.
          ConditionExpression: 'attribute_not_exists(#queuedAt)',
          ExpressionAttributeValues: {
            ':segments': segments,
            ':now': now.toISOString(),
            ':exp': Math.floor(new Date(run.runId).getTime() / 1000) + RUN_RECORD_SECONDS,
            ':zero': 0,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Marks the run's scan items as queued (its fan-out is done). */
  async queued(run: RunKey, now: Date): Promise<void> {
    await this.progress(run, 'SET #queuedAt = :now', { ':now': now.toISOString() });
  }

  /**
   * A Scan segment's position (see above): 0 for a segment not begun, and
   * undefined when the run has no record (expired, or never claimed).
   */
  async position(run: RunKey, segment: number): Promise<number | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: this.key(run), ConsistentRead: true }),
    );
    if (out.Item === undefined) return undefined;
    const at = out.Item[positionOf(segment)];
    return typeof at === 'number' ? at : 0;
  }

  /**
   * Counts a scan page, once: only from the position before it; a segment's
   * last page adds the segment to the finished set. False when the page was
   * counted already (or the run has no record).
   */
  async scanned(run: RunKey, progress: ScanProgress): Promise<boolean> {
    const finished = progress.last ? ', #segmentsDone :segment' : '';
    const before = progress.page * 2;
    return this.progress(
      run,
      `SET #position = :after ADD #scanned :scanned, #matched :matched, #items :items${finished}`,
      {
        ':after': before + 1,
        ':scanned': progress.scanned,
        ':matched': progress.matched,
        ':items': progress.enrollItems,
        ...(progress.last ? { ':segment': new Set([String(progress.segment)]) } : {}),
      },
      { segment: progress.segment, before },
    );
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

  /** Counts an enroll item carried out and the customers it entered. */
  async enrolled(run: RunKey, entered: number): Promise<void> {
    await this.progress(run, 'ADD #itemsDone :one, #entered :entered', { ':one': 1, ':entered': entered });
  }

  /**
   * Writes progress on the run's record, only while it exists: an update
   * would otherwise create a record with no expiry for the work item of a
   * run whose record expired (a message redriven weeks later) or was never
   * claimed, one more item kept for good per such run. Its customers are
   * entered all the same; only the run's figures, gone with it, are not.
   */
  private async progress(
    run: RunKey,
    expression: string,
    values: Record<string, unknown>,
    at?: { segment: number; before: number },
  ): Promise<boolean> {
    // Position 0 is a segment not begun, whose attribute is not written yet.
    const from =
      at === undefined
        ? ''
        : at.before === 0
          ? ' AND (attribute_not_exists(#position) OR #position = :before)'
          : ' AND #position = :before';
    try {
      await this.db.send(
        update({
          TableName: this.table,
          Key: this.key(run),
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(#startedAt)${from}`,
          ExpressionAttributeValues: at === undefined ? values : { ...values, ':before': at.before },
          ...(at === undefined ? {} : { segment: at.segment }),
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /**
   * Counts a work item of a run that stopped (its journey can no longer be
   * entered) as carried out, so the run still completes and says why: a scan
   * item ends its segment, an enroll item enters no one. The first reason is
   * kept. Only on a run that was claimed: a stray item writes nothing.
   */
  async stopped(run: RunKey, item: { segment: number } | undefined, reason: string): Promise<void> {
    const done =
      item === undefined
        ? { action: '#itemsDone :one', values: { ':one': 1 } }
        : { action: '#segmentsDone :segment', values: { ':segment': new Set([String(item.segment)]) } };
    await this.progress(run, `ADD ${done.action} SET #stopped = if_not_exists(#stopped, :reason)`, {
      ...done.values,
      ':reason': reason,
    });
  }

  /**
   * Marks the run complete once every segment is scanned and every enroll
   * item carried out: the record while its completion is still to be
   * announced, undefined otherwise (not yet, or announced already). A run
   * completed by an invocation that died before announcing it is returned
   * again to the retry, which announces it.
   */
  async complete(run: RunKey, now: Date): Promise<RunRecord | undefined> {
    try {
      const out = await this.db.send(
        update({
          TableName: this.table,
          Key: this.key(run),
          UpdateExpression: 'SET #completedAt = if_not_exists(#completedAt, :now)',
          // Completes once, and only when no work of the run is left.
          ConditionExpression:
            'attribute_exists(#queuedAt) AND attribute_not_exists(#announcedAt) AND ' +
            'size(#segmentsDone) >= #segments AND #itemsDone >= #items',
          ExpressionAttributeValues: { ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return RunRecord.parse(out.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Marks the run's completion as announced: later calls of `complete` return nothing. */
  async announced(run: RunKey, now: Date): Promise<void> {
    await this.progress(run, 'SET #announcedAt = if_not_exists(#announcedAt, :now)', {
      ':now': now.toISOString(),
    });
  }
}
