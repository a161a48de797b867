import { renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { RunnerTime } from '../services/stepfunctions/runner/runner-time.ts';
import { TimerQueue } from './timer-queue.ts';

/**
 * Journey time for the local runtime, shared by the handlers, Step Functions,
 * the bus, the queues and the scheduler.
 *
 * Time is virtual and moves only in jumps: it stands still while any work is
 * in flight (a handler running, an execution between two waits, a queued
 * delivery, an HTTP request to a stand-in) and, when everything is idle,
 * jumps to the next due timer (a Wait, a task timeout, a retry, a schedule, a
 * queue's visibility timeout) — as far as the current limit allows. The limit
 * is moved by `advanceTo` (tests, `journeys clock advance`, the demo) or, in
 * interactive mode, by the wall clock while the runtime is idle. Timers due at
 * the same instant fire in the order they were set, one at a time, each after
 * the work of the previous one has finished: the same inputs give the same
 * timeline on any machine at any load.
 */
export class JourneyClock {
  #now: number;
  #limit: number;
  #busy = 0;
  #checkQueued = false;
  #stopped = false;
  readonly #timers = new TimerQueue();
  #settledWaiters: { limit: number; resolve: () => void }[] = [];
  #realTicker: NodeJS.Timeout | undefined;
  #persist: ((nowMs: number) => void) | undefined;
  #persisted = Number.NEGATIVE_INFINITY;

  constructor(startMs: number) {
    this.#now = startMs;
    this.#limit = startMs;
  }

  nowMs(): number {
    return this.#now;
  }

  now(): Date {
    return new Date(this.#now);
  }

  /**
   * Calls `fire` when journey time reaches `atMs`; returns a function that
   * cancels it. Timers due at one instant fire in the order of their `key`.
   */
  at(atMs: number, fire: () => void, key = ''): () => void {
    const cancel = this.#timers.add(Math.max(atMs, this.#now), key, fire);
    this.#queueCheck();
    return cancel;
  }

  /** Resolves after `ms` of journey time, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal, key = ''): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const finish = () => {
        cancel();
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const cancel = this.at(this.#now + Math.max(0, ms), finish, key);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  /**
   * Keeps journey time on disk as it moves: `write` is called, synchronously,
   * with the time reached before any work runs at it (a timer firing, work
   * taking a hold). A runtime killed outright then resumes no earlier than
   * anything its data recorded; time moved while idle costs no write.
   */
  persistWith(write: (nowMs: number) => void): void {
    this.#persist = write;
    this.#persisted = Number.NEGATIVE_INFINITY;
  }

  #flush(): void {
    if (this.#persist === undefined || this.#persisted === this.#now) return;
    this.#persist(this.#now);
    this.#persisted = this.#now;
  }

  /** Marks work in flight: journey time stands still until the returned function is called. */
  hold(): () => void {
    this.#flush();
    this.#busy += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#busy -= 1;
      this.#queueCheck();
    };
  }

  /** Holds the clock while `work` runs. */
  track<T>(work: Promise<T>): Promise<T> {
    const release = this.hold();
    return work.finally(release);
  }

  /**
   * For work that holds the clock (an execution) and now waits on time or on
   * the outside world (a Wait, a task token): its hold is lifted meanwhile.
   */
  async parked<T>(wait: Promise<T>): Promise<T> {
    this.#busy -= 1;
    this.#queueCheck();
    try {
      return await wait;
    } finally {
      this.#busy += 1;
    }
  }

  /** True while work is in flight. */
  get busy(): boolean {
    return this.#busy > 0;
  }

  /** When the next timer is due, if any. */
  nextDueMs(): number | undefined {
    return this.#timers.peek()?.at;
  }

  /**
   * Lets journey time run to `targetMs`: every timer due until then fires in
   * order, each once the system is idle. Resolves when the system is idle at
   * `targetMs` (or later, if time was already past it).
   */
  advanceTo(targetMs: number): Promise<void> {
    this.#limit = Math.max(this.#limit, targetMs);
    return this.settled();
  }

  /** Resolves when nothing is in flight and no timer is due within the current limit. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.#settledWaiters.push({ limit: this.#limit, resolve });
      this.#queueCheck();
    });
  }

  /**
   * Interactive mode: while the runtime is idle, journey time follows the wall
   * clock `scale` times faster; it still stands still while work is in flight.
   */
  runWithWallClock(scale: number, tickMs = 50): void {
    if (!(scale > 0)) throw new Error(`timeScale must be a positive number, got ${scale}`);
    this.stopWallClock();
    let last = performance.now();
    this.#realTicker = setInterval(() => {
      const real = performance.now();
      const elapsed = real - last;
      last = real;
      // Busy time is not journey time: only idle ticks move the limit.
      if (this.#busy > 0 || this.#limit > this.#now) return;
      this.#limit = this.#now + elapsed * scale;
      this.#queueCheck();
    }, tickMs);
    this.#realTicker.unref();
  }

  /** True in interactive mode. */
  get followsWallClock(): boolean {
    return this.#realTicker !== undefined;
  }

  stopWallClock(): void {
    clearInterval(this.#realTicker);
    this.#realTicker = undefined;
  }

  /** Stops firing timers (shutdown); pending `settled` calls resolve. */
  stop(): void {
    this.stopWallClock();
    this.#stopped = true;
    this.#resolveSettled(Number.POSITIVE_INFINITY);
  }

  /**
   * Checks for idleness two event-loop turns later: work that just finished
   * may still have I/O callbacks and promise reactions starting the next piece.
   */
  #queueCheck(): void {
    if (this.#checkQueued || this.#stopped) return;
    this.#checkQueued = true;
    setImmediate(() =>
      setImmediate(() => {
        this.#checkQueued = false;
        this.#step();
      }),
    );
  }

  #step(): void {
    if (this.#busy > 0 || this.#stopped) return;
    const next = this.#timers.peek();
    if (next !== undefined && next.at <= this.#limit) {
      this.#timers.pop();
      this.#now = Math.max(this.#now, next.at);
      this.#flush();
      next.fire();
      this.#queueCheck();
      return;
    }
    this.#now = Math.max(this.#now, this.#limit);
    this.#resolveSettled(this.#limit);
  }

  #resolveSettled(limit: number): void {
    const ready = this.#settledWaiters.filter((w) => w.limit <= limit);
    this.#settledWaiters = this.#settledWaiters.filter((w) => w.limit > limit);
    for (const waiter of ready) waiter.resolve();
  }
}

const CLOCK_FILE = 'clock.json';
const Saved = z.object({ virtualNow: z.number() });

/**
 * The journey clock of a data directory: it resumes where the last run
 * stopped — or was killed, when `persist` keeps the file current as time
 * moves — so that timestamps kept in the data (waits begun, last sends,
 * cooldowns) never lie in the future; a fresh directory starts at `startMs`.
 */
export async function openClock(
  dataDir: string,
  startMs: number,
  options: { persist?: boolean } = {},
): Promise<JourneyClock> {
  const text = await readFile(join(dataDir, CLOCK_FILE), 'utf8').catch(() => undefined);
  const saved = text === undefined ? undefined : Saved.safeParse(parseJson(text)).data;
  const clock = new JourneyClock(Math.max(startMs, saved?.virtualNow ?? 0));
  if (options.persist === true) {
    clock.persistWith((nowMs) => {
      try {
        writeClockFile(dataDir, nowMs);
      } catch {
        // A full disk must not stop the runtime: the next move tries again, and the stop saves it.
      }
    });
  }
  return clock;
}

/** The journey time a data directory was last saved at (its runtime stopped, or as it last moved), if any. */
export async function savedJourneyTime(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, CLOCK_FILE), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Saved.safeParse(parseJson(text)).data?.virtualNow;
}

/** Remembers the journey time of the data directory for the next start. */
export async function saveClock(dataDir: string, clock: JourneyClock): Promise<void> {
  writeClockFile(dataDir, clock.nowMs());
}

/** Replaces the clock file whole: a runtime killed while writing it leaves the previous time, never half a file. */
function writeClockFile(dataDir: string, nowMs: number): void {
  const file = join(dataDir, CLOCK_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ virtualNow: nowMs })}\n`);
  renameSync(`${file}.tmp`, file);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Journey time as the Step Functions runner takes it: executions wait on it and hold it while they work. */
export function runnerTime(clock: JourneyClock): RunnerTime {
  return {
    now: () => clock.nowMs(),
    sleep: (ms, signal, key) => clock.sleep(ms, signal, key),
    hold: () => clock.hold(),
    parked: (wait) => clock.parked(wait),
  };
}
