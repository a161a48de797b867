import { DeferredError, JourneyError, OutcomeUnknownError, RecordedFailureError } from '#shared/errors.ts';

/**
 * The message metric an error of the send task counts: a failure that will
 * not be retried. A deferral is no failure; an error Step Functions retries
 * counts nothing (a retry settles it, or the step's failure path counts it
 * once the retries run out); an unknown outcome is counted by the write that
 * records it, not by the error that reports it.
 */
export function errorMetric(error: unknown): 'failed' | undefined {
  if (error instanceof DeferredError || error instanceof OutcomeUnknownError) return undefined;
  // A failure met again is counted by the invocation that wrote its count, not by each that meets it.
  if (error instanceof RecordedFailureError) return error.counted ? 'failed' : undefined;
  if (error instanceof JourneyError && !error.retryable) return 'failed';
  return undefined;
}
