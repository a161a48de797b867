import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { sqsClient } from '#functions/_lib/clients/sqs.ts';
import { now } from '#functions/_lib/clock.ts';
import { keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { EventBridgeEvent } from '#functions/_lib/eventbridge-event.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { logger, metrics } from '#functions/_lib/observability.ts';
import {
  enrollmentItems,
  experimentJudge,
  liveRegistry,
  profileIdentities,
  profilesRepository,
  statsRepository,
} from '#functions/_lib/repositories.ts';
import { NOT_ENTERED_REASONS, type SkipReason } from '#shared/ingest/entry-skip.ts';
import { METRICS } from '#shared/metrics.ts';
import { type Delivery, type DeliveryOutcome, type IngestDeps, ingestDelivery } from './ingest.ts';
import { manifest } from './manifest.ts';

const config = lazyConfig(manifest);
const deps = keptPerColdStart<IngestDeps>();

function ingestDeps(): IngestDeps {
  const c = config();
  deps.value ??= {
    profiles: profilesRepository(c.PROFILES_TABLE_NAME, enrollmentItems(c.ENROLLMENTS_TABLE_NAME)),
    identities: profileIdentities(c.PROFILES_TABLE_NAME),
    enrollments: enrollmentItems(c.ENROLLMENTS_TABLE_NAME),
    registry: liveRegistry(c.JOURNEYS_TABLE_NAME),
    stats: statsRepository(c.STATS_TABLE_NAME),
    experiments: experimentJudge({ journeys: c.JOURNEYS_TABLE_NAME, stats: c.STATS_TABLE_NAME }, now),
    sfn: sfnClient(),
    sqs: sqsClient(),
    rejectedQueueUrl: c.REJECTED_QUEUE_URL,
    aliasTrustedSources: c.ALIAS_TRUSTED_SOURCES ?? new Set(),
    now,
    counted: countDelivery,
  };
  return deps.value;
}

const DELIVERY_METRICS: Record<DeliveryOutcome, string> = {
  ingested: METRICS.eventsIngested,
  duplicate: METRICS.eventsDuplicate,
  rejected: METRICS.eventRejections,
};

/**
 * Counts a delivery in the invocation's metrics when its outcome is known,
 * not when the invocation ends: an attempt that fails later publishes it
 * (observability), and its retry finds the event recorded (`duplicate`).
 * Entries and resumed steps are counted by the stats writes (stats-metrics.ts).
 */
function countDelivery(outcome: DeliveryOutcome): void {
  metrics.addMetric(DELIVERY_METRICS[outcome], MetricUnit.Count, 1);
}

const notCounted = new Set<SkipReason>(NOT_ENTERED_REASONS);

/** True for a skip counted in the stats (entry skipped), false for one the journey's own rules made. */
function isCounted(reason: SkipReason): boolean {
  return !notCounted.has(reason);
}

/** EventBridge target for customer events (source journeys.customer, detail-type track/identify). */
export const handler = middy(async (parsed: Delivery) => {
  const result = await ingestDelivery(ingestDeps(), parsed);
  if (result.status !== 'rejected') {
    // One line per journey the event did not enter, with why: what "why did they not enter?" is answered from.
    // Once: a redelivery lists only the skips it counted itself (an earlier attempt stopped first).
    // The journey's own rules (where, audience, re-entry) turn away most trigger events of a busy
    // journey, as written: at debug, so that they cost log volume only when asked for.
    for (const skip of result.skipped) {
      if (isCounted(skip.reason)) logger.info('entry skipped', { ...skip });
      else logger.debug('entry skipped', { ...skip });
    }
  } else logger.warn('event rejected', { problems: result.problems });
  return result;
})
  .use(observability())
  .use(parser({ schema: EventBridgeEvent, safeParse: true }));
