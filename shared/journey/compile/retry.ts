import { EVENTBRIDGE_RETRYABLE_ERRORS, RETRYABLE_ERRORS, StatesError } from '../../errors.ts';
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

/**
 * The Retry and Catch of a Task: backoff on throttling and transient errors
 * (2, 4, 8… seconds with full jitter, 6 attempts), then catchers ordered by
 * specificity — named errors, then States.TaskFailed, States.ALL last.
 * Throws on a catcher that could never be taken.
 */
export function retryCatch(
  retryable: readonly string[],
  catches: readonly CatchRule[] = [],
): { Retry: Retrier[]; Catch?: Catcher[] } {
  assertCatchable(catches);
  const Retry: Retrier[] = [
    {
      ErrorEquals: [...retryable],
      IntervalSeconds: 2,
      MaxAttempts: 6,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    },
  ];
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
