import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoClient } from '#functions/_lib/clients/dynamo.ts';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { sqsClient } from '#functions/_lib/clients/sqs.ts';
import { now } from '#functions/_lib/clock.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { logger, metrics } from '#functions/_lib/observability.ts';
import {
  enrollmentItems,
  experimentJudge,
  profilesRepository,
  registryRepository,
  statsRepository,
} from '#functions/_lib/repositories.ts';
import { METRICS } from '#shared/metrics.ts';
import { ScheduledRun } from '#shared/segment/work.ts';
import type { SegmentDeps } from './deps.ts';
import { processRecords } from './records.ts';
import { startRun } from './run.ts';

const config = lazyConfig(['PROFILES_TABLE_NAME', 'SEGMENT_QUEUE_URL']);
let deps: SegmentDeps | undefined;

function segmentDeps(): SegmentDeps {
  const c = config();
  deps ??= {
    db: dynamoClient(),
    profilesTable: c.PROFILES_TABLE_NAME,
    profiles: profilesRepository(),
    enrollments: enrollmentItems(),
    registry: registryRepository(),
    stats: statsRepository(),
    experiments: experimentJudge(now),
    sfn: sfnClient(),
    sqs: sqsClient(),
    queueUrl: c.SEGMENT_QUEUE_URL,
    now,
  };
  return deps;
}

/** The SQS event fields the worker reads. */
const SqsEvent = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) });
const SegmentEntryEvent = z.union([SqsEvent, ScheduledRun]);
type SegmentEntryEvent = z.infer<typeof SegmentEntryEvent>;

/**
 * Segment entry. Invoked by the journey's EventBridge Scheduler schedule with
 * `{journeyId, scheduledTime}`: fans the run out on the segment queue. Invoked
 * by the queue: scans profile pages and enrolls the matches, reporting
 * partial batch failures.
 */
export const handler = middy(async (event: SegmentEntryEvent) => {
  const d = segmentDeps();
  if (!('Records' in event)) {
    const run = await startRun(d, event);
    logger.info('segment run', { run });
    return run;
  }
  const result = await processRecords(d, event.Records);
  metrics.addMetric(METRICS.segmentScanned, MetricUnit.Count, result.totals.scanned);
  metrics.addMetric(METRICS.segmentMatched, MetricUnit.Count, result.totals.matched);
  metrics.addMetric(METRICS.enrollments, MetricUnit.Count, result.totals.enrolled);
  if (result.problems.length > 0) logger.warn('segment work failed', { problems: result.problems });
  return { batchItemFailures: result.batchItemFailures };
})
  .use(observability())
  .use(parser({ schema: SegmentEntryEvent }));
