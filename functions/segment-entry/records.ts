import { SegmentWork } from '#shared/segment/work.ts';
import type { SegmentDeps } from './deps.ts';
import { emitRunEvent, RUN_EVENTS } from './events.ts';
import { type CompletedRun, type CountSink, Tally } from './tally.ts';
import { processWork } from './work.ts';

export type SqsRecord = { messageId: string; body: string };

export type BatchResult = Pick<Tally, 'totals' | 'skipped'> & {
  /** Why enroll items were put back for later (entry paused), once per reason. */
  paused: string[];
  /** The SQS partial batch response: only these messages are received again. */
  batchItemFailures: { itemIdentifier: string }[];
  problems: { messageId: string; error: string }[];
  /** Runs this batch announced complete (each run once, whichever delivery announced it). */
  completed: CompletedRun[];
};

function parseBody(body: string): SegmentWork {
  return SegmentWork.parse(JSON.parse(body));
}

/**
 * Processes a batch of queue messages one by one and reports each failure
 * on its own, so one bad item does not redo the batch. A malformed message
 * fails every time and ends in the dead-letter queue, where it can be read.
 * What each message counted is on the result, and told to `sink`, as its
 * count lands, also when the message then fails.
 */
export async function processRecords(
  deps: SegmentDeps,
  records: readonly SqsRecord[],
  sink?: CountSink,
): Promise<BatchResult> {
  const tally = new Tally(sink);
  const { totals, skipped, completed } = tally;
  const result: BatchResult = { totals, skipped, completed, batchItemFailures: [], problems: [], paused: [] };
  for (const record of records) {
    try {
      const work = parseBody(record.body);
      const done = await processWork(deps, work, record.messageId, tally);
      if (done.paused !== undefined && !result.paused.includes(done.paused)) result.paused.push(done.paused);
      if (done.completed !== undefined) {
        const run = { journeyId: work.journeyId, runId: work.runId, ...done.completed };
        // Announced, then marked so: a refused or unconfirmed notification fails the message, and
        // its retry, its work counted already, finds the run completed but unannounced and sends it.
        // The delivery that marks it reports the run completed, once.
        await emitRunEvent(deps, RUN_EVENTS.completed, run);
        if (await deps.runs.announced(work, deps.now())) tally.announced(run);
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
