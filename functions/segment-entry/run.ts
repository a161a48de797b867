import { notRunnable, runIdOf } from '#shared/segment/run.ts';
import { type ScheduledRun, scanItems, scanSegmentsFor } from '#shared/segment/work.ts';
import type { SegmentDeps } from './deps.ts';
import { emitRunEvent, RUN_EVENTS } from './events.ts';
import { sendWork } from './queue.ts';
import { tableSize } from './table-size.ts';

export type RunResult =
  | {
      status: 'started';
      journeyId: string;
      runId: string;
      segments: number;
      /** Why the profiles table's size could not be read (the run took the most segments). */
      sizeUnknown?: string;
    }
  | { status: 'skipped'; journeyId: string; runId: string; reason: string };

/**
 * The scheduled invocation: fans a run out into one scan item per Scan
 * segment, as many segments as the profiles table's size calls for (one for
 * a small table: each segment costs at least a Scan and a queue message).
 * Cheap and quick whatever the table size; the paced worker does the rest. The run record makes a retried invocation of the same occurrence
 * a no-op once the first one queued the scans and announced the run.
 */
export async function startRun(
  deps: Pick<
    SegmentDeps,
    'registry' | 'runs' | 'sqs' | 'queueUrl' | 'events' | 'eventBus' | 'now' | 'tables' | 'profilesTable'
  >,
  input: ScheduledRun,
): Promise<RunResult> {
  const { journeyId } = input;
  const runId = runIdOf(input.scheduledTime, deps.now());
  const journey = await deps.registry.get(journeyId);
  const reason = journey === undefined ? 'unknown journey' : notRunnable(journey, new Date(runId));
  if (reason !== undefined) return { status: 'skipped', journeyId, runId, reason };
  const size = await tableSize(deps.tables, deps.profilesTable);
  const run = { journeyId, runId };
  const segments = await deps.runs.claim(
    run,
    scanSegmentsFor('unknown' in size ? undefined : size),
    deps.now(),
  );
  if (segments === undefined) return { status: 'skipped', journeyId, runId, reason: 'already started' };
  // Announced before its work is queued: a refused notification fails the invocation, and its
  // retry, finding the run not queued, announces it again (at least once, and before it completes).
  await emitRunEvent(deps, RUN_EVENTS.started, { journeyId, runId, segments });
  await sendWork(deps.sqs, deps.queueUrl, scanItems(journeyId, runId, segments));
  await deps.runs.queued(run, deps.now());
  return {
    status: 'started',
    journeyId,
    runId,
    segments,
    ...('unknown' in size && { sizeUnknown: size.unknown }),
  };
}
