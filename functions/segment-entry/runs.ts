import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '#shared/zod.ts';

/**
 * One record per segment run (stats table, `segment-run#<journey>` / run id,
 * expiring): it makes the scheduled fan-out happen once, and its counters
 * tell when the run is complete. Counters are progress figures, not money:
 * a message redelivered after it was counted is counted again.
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
export type ScanProgress = { scanned: number; matched: number; enrollItems: number; segmentDone?: number };

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
} as const;

/** The placeholders an expression uses (DynamoDB rejects unused ones). */
function names(expression: string): Record<string, string> {
  const used = new Set(expression.match(/#\w+/g));
  return Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => used.has(placeholder)));
}

/** An update whose attribute names are resolved from NAMES. */
function update(input: {
  TableName: string;
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeValues: Record<string, unknown>;
  ReturnValues?: 'ALL_NEW';
}): UpdateCommand {
  const used = `${input.UpdateExpression} ${input.ConditionExpression ?? ''}`;
  return new UpdateCommand({ ...input, ExpressionAttributeNames: names(used) });
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

  /** Counts a scan page; a segment's last page adds the segment to the finished set (idempotent). */
  async scanned(run: RunKey, progress: ScanProgress): Promise<void> {
    const finished = progress.segmentDone !== undefined;
    await this.progress(
      run,
      `ADD #scanned :scanned, #matched :matched, #items :items${finished ? ', #segmentsDone :segment' : ''}`,
      {
        ':scanned': progress.scanned,
        ':matched': progress.matched,
        ':items': progress.enrollItems,
        ...(finished ? { ':segment': new Set([String(progress.segmentDone)]) } : {}),
      },
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
  private async progress(run: RunKey, expression: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.db.send(
        update({
          TableName: this.table,
          Key: this.key(run),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(#startedAt)',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
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
   * item carried out: the record when this call completed it, undefined
   * otherwise (not yet, or another worker already did).
   */
  async complete(run: RunKey, now: Date): Promise<RunRecord | undefined> {
    try {
      const out = await this.db.send(
        update({
          TableName: this.table,
          Key: this.key(run),
          UpdateExpression: 'SET #completedAt = :now',
          // Completes once, and only when no work of the run is left.
          ConditionExpression:
            'attribute_exists(#queuedAt) AND attribute_not_exists(#completedAt) AND ' +
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
}
