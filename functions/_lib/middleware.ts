import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import { DeferredError, JourneyError } from '#shared/errors.ts';
import { logger, metrics } from './observability.ts';

/** Logs a task failure once, with its journey error name (what Step Functions matches). */
function logTaskErrors(): MiddlewareObj {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof DeferredError) {
        // Not a failure: the journey waits until then and sends again.
        logger.info('send deferred', { until: error.until });
        return;
      }
      const name = error instanceof JourneyError ? error.name : (error?.name ?? 'Error');
      logger.error('task failed', { errorName: name, error });
    },
  };
}

/** The middlewares every function shares: context-aware logger, EMF metrics, error logging. */
export function observability(): MiddlewareObj[] {
  return [injectLambdaContext(logger), logMetrics(metrics), logTaskErrors()];
}
