import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '#shared/metrics.ts';
import type { Outcome } from '#shared/stats/keys.ts';
import { metrics } from './observability.ts';
import type { StatsObserver } from './stats.ts';

/**
 * The counts the stats wrote, as CloudWatch metrics: published by the
 * invocation whose write counted them, so each is published once however
 * often its event or item is delivered or its invocation retried.
 * Conversions, revenue and endings are per journey, for the dashboard: each is
 * its own EMF record (`singleMetric`) because one batch of events can touch
 * several journeys and a metric set has one set of dimensions. Entries and
 * resumed steps are the function's totals, in the invocation's own record.
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
  enrollment() {
    metrics.addMetric(METRICS.enrollments, MetricUnit.Count, 1);
  },
  received() {
    metrics.addMetric(METRICS.resumed, MetricUnit.Count, 1);
  },
};
