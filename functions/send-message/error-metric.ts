import { DeferredError, JourneyError, OutcomeUnknownError } from '#shared/errors.ts';
import { OutcomeUnrecordedError } from './send.ts';

/**
 * The message metric an error of the send task counts: an outcome that is
 * unknown (alarmed), including one the attempt could not record; a failure
 * that will not be retried. A deferral is no failure, and an error Step
 * Functions retries counts nothing: a retry settles it, or the step's
 * failure path shows it once the retries run out.
 */
export function errorMetric(error: unknown): 'unknown' | 'failed' | undefined {
  if (error instanceof OutcomeUnknownError || error instanceof OutcomeUnrecordedError) return 'unknown';
  if (error instanceof DeferredError) return undefined;
  if (error instanceof JourneyError && !error.retryable) return 'failed';
  return undefined;
}
