import type { Retrier } from '#shared/journey/compile/asl.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { stateName } from '#shared/journey/compile/context.ts';
import { Journey } from '#shared/journey/schema.ts';

/**
 * Runs a task the way a compiled Task state does with its Retry list: an
 * error matching a retrier is retried up to its MaxAttempts, waiting on a
 * virtual clock (no sleeping, no wall time). What is left is the error the
 * Task's Catch would see.
 */
export type VirtualClock = { now: () => Date; advance: (ms: number) => void };

export function virtualClock(start: string): VirtualClock {
  let at = new Date(start).getTime();
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

function matches(retrier: Retrier, name: string): boolean {
  return retrier.ErrorEquals.some(
    (e) => e === name || e === 'States.ALL' || (e === 'States.TaskFailed' && name !== 'States.Timeout'),
  );
}

/**
 * `longest` waits each retrier's full interval; `shortest` takes the least a
 * FULL jitter may pick (no wait at all), the case where retries run out soonest.
 */
export type RetryTiming = 'longest' | 'shortest';

export async function runWithRetry<T>(
  task: () => Promise<T>,
  retriers: Retrier[],
  clock: VirtualClock,
  timing: RetryTiming = 'longest',
): Promise<{ ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number }> {
  const used = new Map<Retrier, number>();
  for (let attempts = 1; ; attempts++) {
    try {
      return { ok: true, value: await task(), attempts };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Unknown';
      const retrier = retriers.find((r) => matches(r, name));
      const count = retrier === undefined ? 0 : (used.get(retrier) ?? 0);
      if (retrier === undefined || count >= retrier.MaxAttempts) return { ok: false, error, attempts };
      used.set(retrier, count + 1);
      const interval = retrier.IntervalSeconds * 1000 * retrier.BackoffRate ** count;
      clock.advance(timing === 'shortest' && retrier.JitterStrategy === 'FULL' ? 0 : interval);
    }
  }
}

/** The Retry list of a message step's failure path (its count of the last attempt's outcome). */
export function compiledExhaustedRetry(channel: 'email' | 'sms' | 'push'): Retrier[] {
  const state = compileMessageStep(channel).States[stateName.exhausted('send')];
  return state?.Type === 'Task' ? (state.Retry ?? []) : [];
}

/** The Retry list the compiler gives a message step of `channel` (with or without `onUnknown: "retry"`). */
export function compiledSendRetry(
  channel: 'email' | 'sms' | 'push',
  onUnknown?: 'record' | 'retry',
): Retrier[] {
  const state = compileMessageStep(channel, onUnknown).States.send;
  return state?.Type === 'Task' ? (state.Retry ?? []) : [];
}

function compileMessageStep(channel: 'email' | 'sms' | 'push', onUnknown?: 'record' | 'retry') {
  const journey = Journey.parse({
    id: 'faults',
    name: 'Faults',
    trigger: { type: 'event', event: 'Go' },
    start: 'send',
    steps: {
      send: { type: channel, template: 't', next: 'done', ...(onUnknown ? { onUnknown } : {}) },
      done: { type: 'exit' },
    },
  });
  return compile(journey);
}
