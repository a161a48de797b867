import { StatsRepository } from '#functions/_lib/stats.ts';
import { type CountMetric, sendTask } from '#functions/send-message/task.ts';
import { DeferredError, PERMANENT_ERRORS } from '#shared/errors.ts';
import type { SendMessageInput } from '#shared/tasks/send-message.ts';
import type { SendWorld } from './send-world.ts';
import {
  compiledExhaustedRetry,
  compiledSendRetry,
  type RetryTiming,
  runWithRetry,
  type VirtualClock,
} from './task-retry.ts';

export type Counted = Parameters<CountMetric>[0];

/**
 * The send task as the state machine runs it, message metrics and all: Retry, a deferral's Wait, and once
 * the retries run out the step's failure path with the last error, and that path's own Retry. What each invocation counted goes to `counted`.
 */
export async function runCounted(
  world: SendWorld,
  input: SendMessageInput,
  clock: VirtualClock,
  timing: RetryTiming,
  counted: Counted[],
) {
  const count: CountMetric = (status) => counted.push(status);
  const invoke = (task: SendMessageInput) =>
    sendTask(world.deps(clock), task, count).catch((error: unknown) => {
      if (error instanceof DeferredError) return { status: 'deferred', until: error.until } as const;
      throw error;
    });
  const retriers = compiledSendRetry(input.channel, input.onUnknown);
  for (let visits = 1; visits <= 10; visits++) {
    const result = await runWithRetry(() => invoke(input), retriers, clock, timing);
    if (!result.ok) {
      const error = result.error instanceof Error ? result.error.name : 'Error';
      // A failure no retry overcomes takes the step's failure policy at once; the rest its counting path.
      if (PERMANENT_ERRORS.some((name) => name === error)) return { failed: error };
      // The failure path's own Retry (an attempt still holding the send, a fault of the store).
      const counted = await runWithRetry(
        () => invoke({ ...input, exhausted: { error } }),
        compiledExhaustedRetry(input.channel),
        clock,
        timing,
      );
      if (!counted.ok) throw counted.error;
      return counted.value;
    }
    if (!('status' in result.value) || result.value.status !== 'deferred') return result.value;
    clock.advance(Math.max(0, Date.parse(result.value.until) - clock.now().getTime()));
  }
  throw new Error('still deferred after 10 visits');
}

/** Every counter of the step (summed over reasons and shards), by metric name. */
export async function stepCounters(world: SendWorld, input: SendMessageInput): Promise<Map<string, number>> {
  const rows = await new StatsRepository(world.db.doc, world.db.tables.stats).funnel(input.journeyId);
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (row.stepId === input.stepId) counts.set(row.metric, (counts.get(row.metric) ?? 0) + row.count);
  }
  return counts;
}

/** The message metrics counted, by status, in the order the step's counters name them. */
export function tally(counted: readonly Counted[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const status of counted) counts.set(status, (counts.get(status) ?? 0) + 1);
  return counts;
}

/** The step's message counters only (what the message metrics must equal). */
export function messageCounters(counters: ReadonlyMap<string, number>): Map<string, number> {
  const statuses = ['sent', 'suppressed', 'deferred', 'failed', 'unknown'];
  return new Map([...counters].filter(([metric]) => statuses.includes(metric)));
}
