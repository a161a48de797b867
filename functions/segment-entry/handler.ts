import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { dynamoClient, dynamoTablesClient } from '#functions/_lib/clients/dynamo.ts';
import { eventsClient } from '#functions/_lib/clients/events.ts';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { sqsClient } from '#functions/_lib/clients/sqs.ts';
import { now } from '#functions/_lib/clock.ts';
import { keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { logger, metrics } from '#functions/_lib/observability.ts';
import {
  enrollmentItems,
  experimentJudge,
  registryRepository,
  statsRepository,
} from '#functions/_lib/repositories.ts';
import { METRICS } from '#shared/metrics.ts';
import { HeadroomCheck, ScheduledRun } from '#shared/segment/work.ts';
import * as z from '#shared/zod.ts';
import type { SegmentDeps } from './deps.ts';
import { OpenExecutions } from './headroom.ts';
import { manifest } from './manifest.ts';
import { publishOpenExecutions } from './open-metric.ts';
import { realPacing } from './pacing.ts';
import { processRecords } from './records.ts';
import { startRun } from './run.ts';
import { SegmentRuns } from './runs.ts';
import { logSkips } from './skip-log.ts';
import type { CountSink } from './tally.ts';

const config = lazyConfig(manifest);
const deps = keptPerColdStart<SegmentDeps>();

function segmentDeps(): SegmentDeps {
  if (deps.value !== undefined) return deps.value;
  const c = config();
  // The pace lives as long as the process: a warm worker keeps to its share across invocations.
  const pacing = realPacing(c.SEGMENT_START_RATE, c.SEGMENT_WORKERS);
  pacing.onThrottle = () => metrics.addMetric(METRICS.segmentThrottled, MetricUnit.Count, 1);
  deps.value = {
    db: dynamoClient(),
    tables: dynamoTablesClient(),
    profilesTable: c.PROFILES_TABLE_NAME,
    runs: new SegmentRuns(dynamoClient(), c.STATS_TABLE_NAME),
    events: eventsClient(),
    eventBus: c.EVENT_BUS_NAME,
    pacing,
    openExecutions: new OpenExecutions(
      registryRepository(c.JOURNEYS_TABLE_NAME),
      statsRepository(c.STATS_TABLE_NAME),
      () => performance.now(),
    ),
    enrollments: enrollmentItems(c.ENROLLMENTS_TABLE_NAME),
    registry: registryRepository(c.JOURNEYS_TABLE_NAME),
    stats: statsRepository(c.STATS_TABLE_NAME),
    experiments: experimentJudge({ journeys: c.JOURNEYS_TABLE_NAME, stats: c.STATS_TABLE_NAME }, now),
    sfn: sfnClient(),
    sqs: sqsClient(),
    queueUrl: c.SEGMENT_QUEUE_URL,
    now,
  };
  return deps.value;
}

/**
 * Each count published as its write answers, in an EMF line of its own: an
 * invocation that dies later (a timeout while starts are throttled) has
 * published what it counted, and its redelivery, finding it counted,
 * publishes nothing (docs/counts.md). Entries are counted by the stats write
 * that counts them (stats-metrics.ts).
 */
const published: CountSink = {
  page: ({ scanned, matched }) => {
    const single = metrics.singleMetric();
    single.addMetric(METRICS.segmentScanned, MetricUnit.Count, scanned);
    single.addMetric(METRICS.segmentMatched, MetricUnit.Count, matched);
  },
  skipped: (skips) =>
    logSkips({ info: (m, f) => logger.info(m, f), debug: (m, f) => logger.debug(m, f) }, skips),
  completed: (run) => {
    metrics.singleMetric().addMetric(METRICS.segmentRunsCompleted, MetricUnit.Count, 1);
    logger.info('segment run completed', { run });
  },
};

/** The SQS event fields the worker reads. */
const SqsEvent = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) });
const SegmentEntryEvent = z.union([SqsEvent, HeadroomCheck, ScheduledRun]);
type SegmentEntryEvent = z.infer<typeof SegmentEntryEvent>;

/**
 * Segment entry. Invoked by the journey's EventBridge Scheduler schedule with
 * `{journeyId, scheduledTime}`: fans the run out on the segment queue. Invoked
 * by the queue: scans profile pages and enrolls the matches, reporting
 * partial batch failures and the customers turned away. Invoked by the stack's five-minute rule with
 * `{kind: "headroom"}`: publishes the open executions.
 */
export const handler = middy(async (event: SegmentEntryEvent) => {
  const d = segmentDeps();
  if ('kind' in event) return { openExecutions: await publishOpenExecutions(d) };
  if (!('Records' in event)) {
    const run = await startRun(d, event);
    logger.info('segment run', { run });
    if (run.status === 'started' && run.sizeUnknown !== undefined)
      logger.warn('profiles table size unknown: the run takes the most Scan segments', { run });
    return run;
  }
  const result = await processRecords(d, event.Records, published);
  await publishOpenExecutions(d);
  if (result.paused.length > 0) logger.warn('segment entry paused', { reasons: result.paused });
  if (result.problems.length > 0) logger.warn('segment work failed', { problems: result.problems });
  // The event source reads only batchItemFailures; the local runtime files `skipped` on the customers' timelines.
  return { batchItemFailures: result.batchItemFailures, skipped: result.skipped };
})
  .use(observability())
  .use(parser({ schema: SegmentEntryEvent }));
