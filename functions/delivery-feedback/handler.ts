import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { now } from '#functions/_lib/clock.ts';
import { keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { EventBridgeEvent } from '#functions/_lib/eventbridge-event.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { logger } from '#functions/_lib/observability.ts';
import {
  deliveriesRepository,
  outcomeWaiters,
  profilesRepository,
  statsRepository,
} from '#functions/_lib/repositories.ts';
import { applyFeedback, type FeedbackDeps } from './feedback.ts';
import { manifest } from './manifest.ts';

const config = lazyConfig(manifest);
const deps = keptPerColdStart<FeedbackDeps>();

/** SES / Pinpoint delivery, bounce, complaint, open, click and unsubscribe events from EventBridge. */
export const handler = middy(async (event: EventBridgeEvent) => {
  const c = config();
  deps.value ??= {
    deliveries: deliveriesRepository(c.DELIVERIES_TABLE_NAME),
    profiles: profilesRepository(c.PROFILES_TABLE_NAME),
    stats: statsRepository(c.STATS_TABLE_NAME),
    outcomes: { waiters: outcomeWaiters(c.ENROLLMENTS_TABLE_NAME), sfn: sfnClient() },
    now,
  };
  const result = await applyFeedback(deps.value, event.detail, event.time);
  if (result.status === 'unknown-message')
    logger.info('feedback for a message not sent by a journey', { detailType: event['detail-type'] });
  return result;
})
  .use(observability())
  .use(parser({ schema: EventBridgeEvent }));
