import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  backoffMs,
  DEFAULT_SEGMENT_WORKERS,
  DEFAULT_START_RATE,
  MAX_START_ATTEMPTS,
  STARTS_IN_FLIGHT,
  type StartPace,
  THROTTLE_ERRORS,
  workerPace,
} from '#shared/segment/pace.ts';

/**
 * Paced starts with their clock: real time in Lambda, a virtual clock in the
 * load model. Wall time on purpose: the quota is counted in real seconds,
 * whatever the journeys' own clock says.
 */
export type Pacing = {
  pace: StartPace;
  nowMs: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  inFlight: number;
  /** Told of every throttled attempt (counted as a metric). */
  onThrottle?: (errorName: string) => void;
};

/** Thrown when a start stays throttled: its queue message is received again later, nothing is lost. */
class StartThrottled extends Error {
  override readonly name = 'StartThrottled';
}

/** The pacing of a Lambda worker: its share of `rate` across `workers` concurrent invocations. */
export function realPacing(rate = DEFAULT_START_RATE, workers = DEFAULT_SEGMENT_WORKERS): Pacing {
  return {
    pace: workerPace(rate, workers),
    nowMs: () => performance.now(),
    sleep: async (ms) => {
      if (ms > 0) await sleepFor(ms);
    },
    random: Math.random,
    inFlight: STARTS_IN_FLIGHT,
  };
}

function throttleName(error: unknown): string | undefined {
  return error instanceof Error && THROTTLE_ERRORS.has(error.name) ? error.name : undefined;
}

/**
 * Runs `start` when the pace allows, again after a jittered backoff while
 * Step Functions throttles it. `start` must be idempotent (a deterministic
 * execution name makes it so).
 */
export async function pacedStart<T>(pacing: Pacing, start: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    await pacing.sleep(pacing.pace.reserve(pacing.nowMs()));
    try {
      const result = await start();
      pacing.pace.succeeded();
      return result;
    } catch (error) {
      const throttled = throttleName(error);
      if (throttled === undefined) throw error;
      pacing.pace.throttled();
      pacing.onThrottle?.(throttled);
      if (attempt + 1 >= MAX_START_ATTEMPTS)
        throw new StartThrottled(`${throttled} after ${MAX_START_ATTEMPTS} attempts`);
      await pacing.sleep(backoffMs(attempt, pacing.random));
    }
  }
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; every
 * result, in order. After a failure no new call starts, the calls in flight
 * finish, and the first error is thrown (the invocation never ends with work
 * still running).
 */
export async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== undefined) throw failure.error;
  return results;
}
