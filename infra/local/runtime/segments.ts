import * as z from 'zod';
import type { LocalRuntime } from './runtime.ts';

/** What segment-entry answers to a scheduled invocation. */
const RunResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('started'), journeyId: z.string(), runId: z.string(), segments: z.number() }),
  z.object({ status: z.literal('skipped'), journeyId: z.string(), runId: z.string(), reason: z.string() }),
]);
export type SegmentRunResult = z.infer<typeof RunResult>;

/**
 * Runs a segment journey now, as its schedule would, and waits until the
 * run's scans and enrollments are done (the enrolled executions go on). A
 * journey that is not an active segment journey is reported as skipped.
 */
export async function runSegmentNow(runtime: LocalRuntime, journeyId: string): Promise<SegmentRunResult> {
  const result = RunResult.parse(await runtime.scheduler.runNow(journeyId));
  await runtime.settled();
  return result;
}
