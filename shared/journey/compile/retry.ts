import {
  ErrorName,
  EVENTBRIDGE_RETRYABLE_ERRORS,
  LAMBDA_CRASH_ERRORS,
  RETRYABLE_ERRORS,
  StatesError,
} from '../../errors.ts';
import type { Catcher, Retrier } from './asl.ts';

/** Errors worth retrying on one kind of Task. */
export const RETRY = {
  /** A Task on one of our Lambda functions. */
  lambda: RETRYABLE_ERRORS,
  /** The `events:putEvents` integration. */
  eventBridge: EVENTBRIDGE_RETRYABLE_ERRORS,
} as const;

/** Where a Task goes on some errors, and where in the state it keeps the error. */
export type CatchRule = { errors: readonly string[]; next: string; resultPath: string };

/**
 * Step Functions takes the first catcher that names an error, so a named
 * error must come before States.TaskFailed (every error but a timeout), and
 * States.ALL (every error) last.
 */
function breadth(rule: CatchRule): number {
  if (rule.errors.includes(StatesError.All)) return 2;
  if (rule.errors.includes(StatesError.TaskFailed)) return 1;
  return 0;
}

function assertCatchable(rules: readonly CatchRule[]): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (rule.errors.includes(StatesError.All) && rule.errors.length > 1) {
      throw new Error(`States.ALL must be alone in its ErrorEquals, got ${rule.errors.join(', ')}`);
    }
    for (const error of rule.errors) {
      // A second catcher for the same error could never be taken.
      if (seen.has(error)) throw new Error(`${error} is caught twice: the second catcher is unreachable`);
      seen.add(error);
    }
  }
}

/** Backoff for throttling and transient errors: 2, 4, 8… seconds with full jitter, 6 attempts. */
function backoff(errors: readonly string[]): Retrier {
  return {
    ErrorEquals: [...errors],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  };
}

/**
 * The extra retriers of a send-message Task, after the backoff on errors that
 * prove the message was not accepted: a crashed invocation is revisited once,
 * after the claim's lease (the function timeout plus a margin), so the retry
 * settles its delivery record instead of finding it busy; an unknown outcome
 * is retried only when the step opts in (at-least-once).
 */
export function sendRetry(retryUnknown: boolean): Retrier[] {
  return [
    { ErrorEquals: [...LAMBDA_CRASH_ERRORS], IntervalSeconds: 60, MaxAttempts: 1, BackoffRate: 1 },
    ...(retryUnknown ? [backoff([ErrorName.OutcomeUnknown])] : []),
  ];
}

/**
 * The Retry and Catch of a Task: backoff on throttling and transient errors,
 * then any `extra` retriers, then catchers ordered by specificity — named
 * errors, then States.TaskFailed, States.ALL last. Throws on a catcher that
 * could never be taken.
 */
export function retryCatch(
  retryable: readonly string[],
  catches: readonly CatchRule[] = [],
  extra: readonly Retrier[] = [],
): { Retry: Retrier[]; Catch?: Catcher[] } {
  assertCatchable(catches);
  const Retry: Retrier[] = [backoff(retryable), ...extra];
  if (catches.length === 0) return { Retry };
  const ordered = catches
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => breadth(a.rule) - breadth(b.rule) || a.index - b.index);
  return {
    Retry,
    Catch: ordered.map(({ rule }) => ({
      ErrorEquals: [...rule.errors],
      ResultPath: rule.resultPath,
      Next: rule.next,
    })),
  };
}
