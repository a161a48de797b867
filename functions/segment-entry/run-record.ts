import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  noSkips,
  SEGMENT_SKIP_REASONS,
  type SegmentSkipReason,
  type SkipCounts,
} from '#shared/segment/skips.ts';
import * as z from '#shared/zod.ts';

/**
 * The shape of a segment run's record (stats table, `segment-run#<journey>` /
 * run id) and the expression helpers its writes share.
 */

/** A run record outlives every retry of its schedule invocation (Scheduler retries for at most a day). */
const RUN_RECORD_SECONDS = 30 * 24 * 3600;

const RunFields = z.object({
  segments: z.number(),
  startedAt: z.string(),
  completedAt: z.optional(z.string()),
  scanned: z._default(z.number(), 0),
  matched: z._default(z.number(), 0),
  /** How many enroll items the run's pages queued. */
  enrollItems: z._default(z.number(), 0),
  entered: z._default(z.number(), 0),
  /** Why the run stopped before entering everyone (its journey paused, archived, ended or redeployed without a segment). */
  stopped: z.optional(z.string()),
});

/** A run's figures, with the entries it turned away by reason (0 each on a record written before they were counted). */
export type RunRecord = z.infer<typeof RunFields> & { skipped: SkipCounts };

export function parseRunRecord(stored: unknown): RunRecord {
  const fields = RunFields.parse(stored);
  const skipped = noSkips();
  if (typeof stored === 'object' && stored !== null)
    for (const reason of SEGMENT_SKIP_REASONS) skipped[reason] = numberIn(stored, skipAttribute(reason));
  return { ...fields, skipped };
}

/** The attribute counting a reason's skips (`skippedReentry`): one number per reason, so the record stays bounded. */
function skipAttribute(reason: SegmentSkipReason): string {
  return `skipped${reason.charAt(0).toUpperCase()}${reason.slice(1)}`;
}

const SKIP_NAMES = Object.fromEntries(
  SEGMENT_SKIP_REASONS.map((reason) => [`#${skipAttribute(reason)}`, skipAttribute(reason)]),
);

/**
 * The ADD clauses that count `skipped` (only reasons with some), and their
 * values: `#skippedLimit :skippedLimit, …`, or none.
 */
export function addSkipped(skipped: SkipCounts): { clauses: string[]; values: Record<string, number> } {
  const clauses: string[] = [];
  const values: Record<string, number> = {};
  for (const reason of SEGMENT_SKIP_REASONS) {
    if (skipped[reason] === 0) continue;
    const attribute = skipAttribute(reason);
    clauses.push(`#${attribute} :${attribute}`);
    values[`:${attribute}`] = skipped[reason];
  }
  return { clauses, values };
}

/** The stored record, with the attributes the figures do not show. */
export type StoredRun = Record<string, unknown>;

export type RunKey = { journeyId: string; runId: string };

export function runKey(run: RunKey): { pk: string; sk: string } {
  return { pk: `segment-run#${run.journeyId}`, sk: run.runId };
}

/** When a run's record, and everything kept for it, expires (epoch seconds). */
export function runExpiry(run: RunKey): number {
  return Math.floor(new Date(run.runId).getTime() / 1000) + RUN_RECORD_SECONDS;
}

/** Attribute names, always through placeholders (several are DynamoDB reserved words). */
const NAMES = {
  '#segments': 'segments',
  '#startedAt': 'startedAt',
  '#queuedAt': 'queuedAt',
  '#completedAt': 'completedAt',
  '#completedBy': 'completedBy',
  '#scanned': 'scanned',
  '#matched': 'matched',
  '#entered': 'entered',
  '#items': 'enrollItems',
  '#itemsDone': 'enrollItemsDone',
  '#segmentsDone': 'segmentsDone',
  '#stopped': 'stopped',
  '#announcedAt': 'announcedAt',
  ...SKIP_NAMES,
};

/**
 * A Scan segment's own attributes (one number each, so the record stays
 * bounded): its position (`scan<n>`, see SegmentRuns), how many enroll items
 * its counted pages queued (`enrollItems<n>`: the next item's number), and
 * how many of those, from the first, are counted as done (`enrollItemsDone<n>`).
 */
export function segmentAttributes(segment: number) {
  return {
    '#position': `scan${segment}`,
    '#segmentItems': `enrollItems${segment}`,
    '#segmentItemsDone': `enrollItemsDone${segment}`,
  };
}

/** A number attribute of a stored record, 0 when not written yet. */
export function numberIn(record: object, attribute: string): number {
  const value: unknown = Object.hasOwn(record, attribute) ? Reflect.get(record, attribute) : undefined;
  return typeof value === 'number' ? value : 0;
}

/** The placeholders an expression uses (DynamoDB rejects unused ones). */
function names(expression: string, segment?: number): Record<string, string> {
  const used = new Set(expression.match(/#\w+/g));
  const all = segment === undefined ? NAMES : { ...NAMES, ...segmentAttributes(segment) };
  return Object.fromEntries(Object.entries(all).filter(([placeholder]) => used.has(placeholder)));
}

/** An update of a run record whose attribute names are resolved from NAMES. */
export function update(input: {
  TableName: string;
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeValues: Record<string, unknown>;
  ReturnValues?: 'ALL_NEW';
  /** The Scan segment whose attributes `#position`, `#segmentItems`, `#segmentItemsDone` name. */
  segment?: number;
}): UpdateCommand {
  const { segment, ...command } = input;
  const used = `${input.UpdateExpression} ${input.ConditionExpression ?? ''}`;
  return new UpdateCommand({ ...command, ExpressionAttributeNames: names(used, segment) });
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/** A number of a Scan segment an update applies from: written only where it still stands there. */
export type From = { segment: number; attribute: '#position' | '#segmentItemsDone'; value: number };

/**
 * Writes progress on a run's record, only while it exists: an update would
 * otherwise create a record with no expiry for the work item of a run whose
 * record expired (a message redriven weeks later) or was never claimed, one
 * more item kept for good per such run. Its customers are entered all the
 * same; only the run's figures, gone with it, are not. The record as
 * written, undefined when the condition did not hold.
 */
export async function progress(
  db: DynamoDBDocumentClient,
  table: string,
  run: RunKey,
  change: { expression: string; values: Record<string, unknown>; from?: From },
): Promise<StoredRun | undefined> {
  const { from } = change;
  // A segment's number at 0 may not be written yet.
  const at =
    from === undefined
      ? ''
      : from.value === 0
        ? ` AND (attribute_not_exists(${from.attribute}) OR ${from.attribute} = :from)`
        : ` AND ${from.attribute} = :from`;
  try {
    const out = await db.send(
      update({
        TableName: table,
        Key: runKey(run),
        UpdateExpression: change.expression,
        ConditionExpression: `attribute_exists(#startedAt)${at}`,
        ExpressionAttributeValues:
          from === undefined ? change.values : { ...change.values, ':from': from.value },
        ReturnValues: 'ALL_NEW',
        ...(from === undefined ? {} : { segment: from.segment }),
      }),
    );
    return out.Attributes ?? {};
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return undefined;
  }
}

/**
 * True when a record's figures say every segment is scanned and every enroll
 * item done, and its completion is not announced yet: worth a `complete`.
 */
export function looksComplete(record: StoredRun): boolean {
  const done = record.segmentsDone;
  const segmentsDone = done instanceof Set ? done.size : 0;
  return (
    record.queuedAt !== undefined &&
    record.announcedAt === undefined &&
    segmentsDone >= numberIn(record, 'segments') &&
    numberIn(record, 'enrollItemsDone') >= numberIn(record, 'enrollItems')
  );
}
