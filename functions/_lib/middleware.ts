import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import {
  DeferredError,
  JourneyError,
  ProfileValueError,
  RecipientRefusedError,
  TemplateFailedError,
} from '#shared/errors.ts';
import { logger, metrics } from './observability.ts';

/**
 * Logs a task failure once, with its journey error name (what Step Functions
 * matches), at the level it calls for: a value the customer's data lacks is
 * the journey's business (its failure policy routes it, the report counts it)
 * and is logged as information, and so is a message that fails to render on
 * it (a variable with no value); a failure Step Functions retries is a warning;
 * anything else is an error, with its stack.
 */
function logTaskErrors(): MiddlewareObj {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof DeferredError) {
        // Not a failure: the journey waits until then and sends again.
        logger.info('send deferred', { until: error.until });
        return;
      }
      if (error instanceof ProfileValueError) {
        logger.info("step failed on the customer's data", { errorName: error.name, reason: error.message });
        return;
      }
      if (error instanceof TemplateFailedError) {
        // A variable the customer or the trigger lacks: the step's failure policy routes it, the report counts it.
        logger.info('message failed to render', { errorName: error.name, reason: error.message });
        return;
      }
      if (error instanceof RecipientRefusedError) {
        // Counted as failed for this customer (a dead token, a STOP reply): no fault of the account or code.
        logger.info('message refused for its recipient', { errorName: error.name, reason: error.message });
        return;
      }
      if (error instanceof JourneyError && error.retryable) {
        logger.warn('task failed, to be retried', { errorName: error.name, reason: error.message });
        return;
      }
      const name = error instanceof JourneyError ? error.name : (error?.name ?? 'Error');
      logger.error('task failed', { errorName: name, error });
    },
  };
}

/**
 * Publishes what the invocation recorded as one EMF line. Many invocations
 * record nothing (a waiter that does not match, a feedback event for an
 * unknown message): Powertools' own middleware logs a warning for each of
 * those, a line per invocation that says nothing and is paid for.
 */
function publishMetrics(): MiddlewareObj {
  const publish = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    else metrics.clearDimensions();
  };
  return { after: publish, onError: publish };
}

/** The middlewares every function shares: context-aware logger, EMF metrics, error logging. */
export function observability(): MiddlewareObj[] {
  return [injectLambdaContext(logger), publishMetrics(), logTaskErrors()];
}
