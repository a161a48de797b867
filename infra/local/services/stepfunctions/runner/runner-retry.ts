import { createHash } from 'node:crypto';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { matchingRule } from './error-match.ts';

type AnyState = StateMachineDefinition['States'][string];
type Retrier = NonNullable<Extract<AnyState, { Type: 'Task' }>['Retry']>[number];

/**
 * The interval before each retry of one Task state, as Step Functions
 * computes it (IntervalSeconds × BackoffRate^attempt, capped by
 * MaxDelaySeconds, MaxAttempts per retrier, the first matching retrier
 * wins). The runner waits that long on its own clock and lets the
 * interpreter retry at once: the interpreter's timers are real time.
 *
 * FULL jitter draws from a hash of the execution, state and attempt instead
 * of a random number, so a run is reproducible.
 */
export class RetryPlan {
  readonly #attempts: number[];

  constructor(
    private readonly retriers: readonly Retrier[],
    private readonly seed: string,
  ) {
    this.#attempts = retriers.map(() => 0);
  }

  /** The milliseconds to wait before the interpreter retries after `errorName`, or undefined: no retry. */
  onFailure(errorName: string): number | undefined {
    const index = matchingRule(this.retriers, errorName);
    const retrier = this.retriers[index];
    const attempts = this.#attempts[index];
    // Not retried: the entry ends (caught, or the execution fails), and the next entry counts afresh.
    if (retrier === undefined || attempts === undefined || attempts >= (retrier.MaxAttempts ?? 3)) {
      this.reset();
      return undefined;
    }
    this.#attempts[index] = attempts + 1;
    const interval = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempts;
    const capped = Math.min(interval, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000;
    if (retrier.JitterStrategy !== 'FULL') return capped;
    return Math.floor(capped * fraction(`${this.seed}:${index}:${attempts}`));
  }

  /** No retry counted yet: nothing is lost if the interpreter's own counts start over. */
  get fresh(): boolean {
    return this.#attempts.every((attempts) => attempts === 0);
  }

  /** The state succeeded or was caught: the next entry starts with fresh counts. */
  reset(): void {
    this.#attempts.fill(0);
  }
}

/** A stable number in [0, 1) from a text. */
function fraction(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}
