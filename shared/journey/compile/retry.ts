import { DYNAMODB_RETRYABLE_ERRORS, EVENTBRIDGE_RETRYABLE_ERRORS, RETRYABLE_ERRORS } from '../../errors.ts';
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
