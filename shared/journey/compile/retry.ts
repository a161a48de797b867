import {
  DYNAMODB_RETRYABLE_ERRORS,
  ErrorName,
  EVENTBRIDGE_RETRYABLE_ERRORS,
  LAMBDA_CRASH_ERRORS,
  RETRYABLE_ERRORS,
} from '../../errors.ts';
import type { Retrier } from './asl.ts';

/** Backoff for throttling and transient errors: 2, 4, 8… seconds with full jitter, 6 attempts. */
function backoff(errors: readonly string[]): Retrier[] {
  return [
    { ErrorEquals: [...errors], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' },
  ];
}

/** Retry of a Task on one of our Lambda functions. */
export const lambdaRetry = (): Retrier[] => backoff(RETRYABLE_ERRORS);
/** Retry of the `dynamodb:updateItem` integration. */
export const dynamoRetry = (): Retrier[] => backoff(DYNAMODB_RETRYABLE_ERRORS);
/** Retry of the `events:putEvents` integration. */
export const eventBridgeRetry = (): Retrier[] => backoff(EVENTBRIDGE_RETRYABLE_ERRORS);

/**
 * Retry of a send-message Task. Only errors that prove the message was not
 * accepted are retried with backoff; a crashed invocation is revisited once,
 * after the claim's lease (the function timeout plus a margin) so the retry
 * settles its delivery record instead of finding it busy; an unknown outcome
 * is retried only when the step opts in (at-least-once).
 */
export function sendRetry(retryUnknown: boolean): Retrier[] {
  return [
    ...backoff(RETRYABLE_ERRORS),
    { ErrorEquals: [...LAMBDA_CRASH_ERRORS], IntervalSeconds: 60, MaxAttempts: 1, BackoffRate: 1 },
    ...(retryUnknown ? backoff([ErrorName.OutcomeUnknown]) : []),
  ];
}
