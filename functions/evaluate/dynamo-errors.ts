import { JourneyError, ThrottledError, TransientError } from '#shared/errors.ts';

/** DynamoDB refused for load: nothing was written, try again later. */
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);
/** DynamoDB or the network failed on its side: the outcome may be unknown, so writes are idempotent. */
const TRANSIENT = new Set([
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ETIMEDOUT',
]);

/**
 * A DynamoDB error as the named error the compiled Retry matches; any other
 * error is returned as it is — a bug, which fails the execution and alarms.
 */
export function namedDynamoError(error: unknown): unknown {
  if (error instanceof JourneyError || !(error instanceof Error)) return error;
  if (THROTTLED.has(error.name)) return new ThrottledError(`DynamoDB: ${error.message}`);
  if (TRANSIENT.has(error.name)) return new TransientError(`DynamoDB: ${error.message}`);
  return error;
}
