/** Timers for the runner: abortable, and safe past setTimeout's 24.8-day limit. */

const MAX_TIMER_MS = 2_147_483_647;

/** Resolves after `ms` (0 or less: on the next turn), or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const arm = (remaining: number) => {
      // Long waits are chained: a single timer overflows past 2^31 ms and fires at once.
      timer = setTimeout(
        () => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : finish()),
        Math.max(0, Math.min(remaining, MAX_TIMER_MS)),
      );
    };
    signal.addEventListener('abort', finish, { once: true });
    arm(ms);
  });
}

/** The error a Task raises when its TimeoutSeconds expire; Catch matches it by name. */
export class StatesTimeoutError extends Error {
  constructor(stateName: string) {
    super(`Task ${stateName} timed out`);
    this.name = 'States.Timeout';
  }
}

/** The clock an execution runs on: its now, its timers, and its hold on time while it works. */
export type RunnerTime = {
  now(): number;
  /**
   * Resolves after `ms` of this clock's time, or at once when `signal`
   * aborts; `key` (execution and state) orders timers due at one instant.
   */
  sleep(ms: number, signal: AbortSignal, key?: string): Promise<void>;
  /** Marks an execution at work; returns the function that ends it. */
  hold(): () => void;
  /** Lifts the execution's hold while it waits (a Wait, a token, a retry interval). */
  parked<T>(wait: Promise<T>): Promise<T>;
};

/** Real time (or a multiple of it) with no notion of work in flight: the runner on its own. */
export function scaledTime(scale: number, now: () => number): RunnerTime {
  return {
    now,
    sleep: (ms, signal) => sleep(ms * scale, signal),
    hold: () => () => undefined,
    parked: (wait) => wait,
  };
}
