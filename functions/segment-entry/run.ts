import { notRunnable, runIdOf } from '#shared/segment/run.ts';
import { type ScheduledRun, scanItems } from '#shared/segment/work.ts';
import type { SegmentDeps } from './deps.ts';
import { sendWork } from './queue.ts';

export type RunResult =
  | { status: 'started'; journeyId: string; runId: string; segments: number }
  | { status: 'skipped'; journeyId: string; runId: string; reason: string };

/**
 * The scheduled invocation: fans a run out into one scan item per Scan
 * segment. Cheap and quick whatever the table size; the paced worker does the rest.
 */
export async function startRun(
  deps: Pick<SegmentDeps, 'registry' | 'sqs' | 'queueUrl' | 'now'>,
  input: ScheduledRun,
): Promise<RunResult> {
  const { journeyId } = input;
  const runId = runIdOf(input.scheduledTime, deps.now());
  const journey = await deps.registry.get(journeyId);
  const reason = journey === undefined ? 'unknown journey' : notRunnable(journey, new Date(runId));
  if (reason !== undefined) return { status: 'skipped', journeyId, runId, reason };
  const items = scanItems(journeyId, runId);
  await sendWork(deps.sqs, deps.queueUrl, items);
  return { status: 'started', journeyId, runId, segments: items.length };
}
