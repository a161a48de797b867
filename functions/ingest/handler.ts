import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import middy from '@middy/core';
import { client } from '#functions/_lib/clients.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { logger, metrics } from '#functions/_lib/observability.ts';
import { liveRegistry, profilesRepository, statsRepository } from '#functions/_lib/repositories.ts';
import { type IngestDeps, ingestEvent } from './ingest.ts';

const config = lazyConfig(['REJECTED_QUEUE_URL']);
let deps: IngestDeps | undefined;

function ingestDeps(): IngestDeps {
  deps ??= {
    profiles: profilesRepository(),
    registry: liveRegistry(),
    stats: statsRepository(),
    sfn: client('sfn'),
    sqs: client('sqs'),
    rejectedQueueUrl: config().REJECTED_QUEUE_URL,
    now: () => new Date(),
  };
  return deps;
}

type Parsed =
  | { success: true; data: { detail: unknown } }
  | { success: false; error: { message: string }; originalEvent?: unknown };

/** EventBridge target for customer events (source journeys.customer, detail-type track/identify). */
export const handler = middy(async (parsed: Parsed) => {
  const d = ingestDeps();
  // An envelope that is not an EventBridge event is kept with the reason, like an invalid detail.
  const result = parsed.success
    ? await ingestEvent(d, parsed.data.detail)
    : await ingestEvent(d, { invalidEnvelope: parsed.originalEvent, reason: parsed.error.message });
  metrics.addMetric(result.status === 'rejected' ? 'EventRejected' : 'EventIngested', MetricUnit.Count, 1);
  if (result.status !== 'rejected') {
    metrics.addMetric('Enrolled', MetricUnit.Count, result.enrolled.length);
    metrics.addMetric('Resumed', MetricUnit.Count, result.resumed.length);
  } else logger.warn('event rejected', { problems: result.problems });
  return result;
})
  .use(observability())
  .use(parser({ schema: EventBridgeSchema, safeParse: true }));
