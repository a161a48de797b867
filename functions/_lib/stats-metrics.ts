import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '#shared/metrics.ts';
import type { Outcome } from '#shared/stats/keys.ts';
import { metrics } from './observability.ts';
import type { StatsObserver } from './stats.ts';

/**
 * Conversions, revenue and endings as CloudWatch metrics per journey, for the
 * dashboard. Each is its own EMF record (`singleMetric`) because one batch of
 * events can touch several journeys and a metric set has one set of dimensions.
 */
/** A single metric publishes at once and then forgets its dimensions: one per value. */
function publish(
  dimensions: Record<string, string>,
  name: string,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value: number,
) {
  const single = metrics.singleMetric();
  single.addDimensions(dimensions);
  single.addMetric(name, unit, value);
}

export const statsMetrics: StatsObserver = {
  conversion(journeyId: string, value?: number) {
    publish({ journey: journeyId }, METRICS.conversions, MetricUnit.Count, 1);
    if (value !== undefined) publish({ journey: journeyId }, METRICS.revenue, MetricUnit.NoUnit, value);
  },
  outcome(journeyId: string, outcome: Outcome) {
    publish({ journey: journeyId, outcome }, METRICS.enrollmentsEnded, MetricUnit.Count, 1);
  },
};
