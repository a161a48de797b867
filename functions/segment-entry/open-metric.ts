import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#functions/_lib/observability.ts';
import { METRICS } from '#shared/metrics.ts';
import type { SegmentDeps } from './deps.ts';

/**
 * Publishes the open executions, account-wide and per journey, as the worker
 * last counted them (the open-executions alarm reads these), after a batch. A
 * failed read is logged, never thrown: the batch is done, and failing the
 * invocation would make SQS deliver every message of it again. Returns the
 * account-wide count published, or undefined when it could not be read.
 */
export async function publishOpenExecutions(
  d: Pick<SegmentDeps, 'openExecutions'>,
): Promise<number | undefined> {
  let open: Awaited<ReturnType<SegmentDeps['openExecutions']['count']>>;
  try {
    open = await d.openExecutions.count();
  } catch (error) {
    logger.warn('open executions not published', {
      error: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
  metrics.singleMetric().addMetric(METRICS.openExecutions, MetricUnit.Count, open.account);
  for (const [journeyId, count] of open.perJourney) {
    const single = metrics.singleMetric();
    single.addDimensions({ journey: journeyId });
    single.addMetric(METRICS.openExecutions, MetricUnit.Count, count);
  }
  return open.account;
}
