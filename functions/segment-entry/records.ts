import type { EntrySkip } from '#shared/ingest/entry-skip.ts';
import { SegmentWork } from '#shared/segment/work.ts';
import type { SegmentDeps } from './deps.ts';
import { emitRunEvent, RUN_EVENTS } from './events.ts';
import type { RunRecord } from './runs.ts';
import { processWork, type WorkResult } from './work.ts';

export type SqsRecord = { messageId: string; body: string };

export type BatchResult = {
  totals: Omit<WorkResult, 'skipped' | 'completed' | 'paused' | 'skips'>;
  /** The customers the batch's items turned away, each with why (reported, not counted: the run record counts). */
  skipped: EntrySkip[];
  /** Why enroll items were put back for later (entry paused), once per reason. */
  paused: string[];
  /** The SQS partial batch response: only these messages are received again. */
  batchItemFailures: { itemIdentifier: string }[];
  problems: { messageId: string; error: string }[];
  /** Runs this batch completed. */
  completed: (RunRecord & { journeyId: string; runId: string })[];
};

function parseBody(body: string): SegmentWork {
  return SegmentWork.parse(JSON.parse(body));
}

/**
 * Processes a batch of queue messages one by one and reports each failure
 * on its own, so one bad item does not redo the batch. A malformed message
 * fails every time and ends in the dead-letter queue, where it can be read.
 */
export async function processRecords(deps: SegmentDeps, records: readonly SqsRecord[]): Promise<BatchResult> {
  const result: BatchResult = {
    totals: { scanned: 0, matched: 0, enrolled: 0 },
    skipped: [],
    batchItemFailures: [],
    problems: [],
    completed: [],
    paused: [],
  };
  for (const record of records) {
    try {
      const work = parseBody(record.body);
      const done = await processWork(deps, work, record.messageId);
      result.totals.scanned += done.scanned;
      result.totals.matched += done.matched;
      result.totals.enrolled += done.enrolled;
      result.skipped.push(...(done.skips ?? []));
      if (done.paused !== undefined && !result.paused.includes(done.paused)) result.paused.push(done.paused);
      if (done.completed !== undefined) {
        const run = { journeyId: work.journeyId, runId: work.runId, ...done.completed };
        result.completed.push(run);
        // Announced, then marked so: a refused or unconfirmed notification fails the message, and
        // its retry, its work counted already, finds the run completed but unannounced and sends it.
        await emitRunEvent(deps, RUN_EVENTS.completed, run);
        await deps.runs.announced(work, deps.now());
      }
    } catch (error) {
      result.batchItemFailures.push({ itemIdentifier: record.messageId });
      result.problems.push({
        messageId: record.messageId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return result;
}
