import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Channel } from '#shared/channels.ts';
import { messageMetric } from '#shared/metrics.ts';
import type { CountMetric } from './task.ts';

/**
 * Counts a send's outcome in the invocation's metrics, which carry the channel already. The alarm's
 * metric (unknown) is published at once, on its own: an invocation that dies publishes nothing it
 * stored. A single metric starts with the default dimensions only, so it is given the channel.
 */
export function messageCounter(metrics: Metrics, channel: Channel): CountMetric {
  metrics.addDimension('channel', channel);
  return (status) => {
    if (status !== 'unknown') return metrics.addMetric(messageMetric(status), MetricUnit.Count, 1);
    const alarm = metrics.singleMetric();
    alarm.addDimension('channel', channel);
    alarm.addMetric(messageMetric(status), MetricUnit.Count, 1);
  };
}
