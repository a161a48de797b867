/**
 * How segment entry keeps StartExecution under the Region's quota: each
 * worker paces its own share of the run's rate, and a throttled start waits
 * a jittered, growing delay before it tries again.
 */

/**
 * StartExecution refills at 300 per second in the large Regions (150 in the
 * smaller ones), with a bucket of 800. The default stays just under the
 * refill so that ingest's own starts still find tokens.
 */
export const DEFAULT_START_RATE = 280;
/** Worker invocations at once (the queue's maximum concurrency): each paces rate ÷ workers. */
export const DEFAULT_SEGMENT_WORKERS = 10;
/** Starts in flight per worker: with ~4 calls of ~15 ms per enrollment, 8 keep up with 28/s and more. */
export const STARTS_IN_FLIGHT = 8;
/** Throttled attempts of one start before its queue message is handed back for a later retry. */
export const MAX_START_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 100;
/** How much of its rate a worker keeps after a throttle. */
const DECREASE = 0.9;
const BACKOFF_CAP_MS = 10_000;

/** Step Functions errors that mean "not now": the start did not happen and may be tried again. */
export const THROTTLE_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  // The account's open executions are at the limit: starts wait until executions end.
  'ExecutionLimitExceeded',
]);

/**
 * A pacer (the generic cell rate algorithm): starts are let through at the
 * rate on average with up to `burst` at once after a quiet spell. A throttle
 * slows the rate by 15% and each success wins a little of it back (additive
 * increase, multiplicative decrease), so workers configured above the quota,
 * or sharing it with ingest, settle at what Step Functions grants instead of
 * retrying into it. It only computes delays; the caller sleeps them, so tests
 * drive it with a virtual clock.
 */
export class StartPace {
  private readonly burst: number;
  private perSecond: number;
  /** When the next start is due if the bucket were empty (theoretical arrival time). */
  private dueMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxPerSecond: number,
    burst = 1,
  ) {
    if (!(maxPerSecond > 0)) throw new RangeError(`a start rate must be positive, got ${maxPerSecond}`);
    this.perSecond = maxPerSecond;
    this.burst = Math.max(1, Math.floor(burst));
  }

  /** The rate the pace currently lets through. */
  get rate(): number {
    return this.perSecond;
  }

  /** Reserves the next start: how long to wait from `nowMs` before making it. */
  reserve(nowMs: number): number {
    const interval = 1000 / this.perSecond;
    const due = Math.max(this.dueMs, nowMs);
    const wait = Math.max(0, due - (this.burst - 1) * interval - nowMs);
    this.dueMs = due + interval;
    return wait;
  }

  /** Step Functions refused a start: slow down (never below one start every ten seconds). */
  throttled(): void {
    this.perSecond = Math.max(0.1, this.perSecond * DECREASE);
  }

  /** A start went through: win back a hundredth of the configured rate. */
  succeeded(): void {
    this.perSecond = Math.min(this.maxPerSecond, this.perSecond + this.maxPerSecond / 50);
  }
}

/** The pace of one worker: its share of the run's rate, with a burst of one second of that share. */
export function workerPace(totalPerSecond: number, workers: number): StartPace {
  const share = totalPerSecond / Math.max(1, workers);
  return new StartPace(share, Math.max(1, Math.floor(share)));
}

/** The delay before throttled attempt `attempt` (0-based) is retried: "full jitter" exponential backoff. */
export function backoffMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
