import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { sesClient } from '#functions/_lib/clients/ses.ts';
import { now } from '#functions/_lib/clock.ts';
import { keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { metrics } from '#functions/_lib/observability.ts';
import {
  deliveriesRepository,
  enrollmentItems,
  profilesRepository,
  statsRepository,
  templateSnapshots,
} from '#functions/_lib/repositories.ts';
import { unsubscribeSigningKey } from '#functions/_lib/signing-key.ts';
import type { ExhaustedOutput, SendMessageInput, SendMessageOutput } from '#shared/tasks/send-message.ts';
import { messageCounter } from './count.ts';
import { manifest } from './manifest.ts';
import type { SendDeps } from './send.ts';
import { sendTask } from './task.ts';

const config = lazyConfig(manifest);
const deps = keptPerColdStart<SendDeps>();
const LEASE_MARGIN_MS = 5_000;

function sendDeps(): SendDeps {
  const c = config();
  deps.value ??= {
    profiles: profilesRepository(c.PROFILES_TABLE_NAME),
    deliveries: deliveriesRepository(c.DELIVERIES_TABLE_NAME),
    stats: statsRepository(c.STATS_TABLE_NAME),
    enrollments: enrollmentItems(c.ENROLLMENTS_TABLE_NAME),
    templates: templateSnapshots(c.JOURNEYS_TABLE_NAME),
    ses: sesClient(),
    config: {
      senderEmail: c.SENDER_EMAIL,
      configurationSet: c.SES_CONFIGURATION_SET,
      pinpointApplicationId: c.PINPOINT_APPLICATION_ID,
      unsubscribeBaseUrl: c.UNSUBSCRIBE_BASE_URL,
    },
    unsubscribeKey: unsubscribeSigningKey(c),
    now,
  };
  return deps.value;
}

/** Step Functions task: deliver one message of a journey step (or say why not now / not at all). */
export const handler = middy(
  async (input: SendMessageInput, context: Context): Promise<SendMessageOutput | ExhaustedOutput> => {
    const count = messageCounter(metrics, input.channel);
    if (input.exhausted !== undefined) return sendTask(sendDeps(), input, count);
    // A claim outlives this invocation by a margin: a retry never overlaps a live attempt.
    const leaseMs = context.getRemainingTimeInMillis() + LEASE_MARGIN_MS;
    return sendTask({ ...sendDeps(), leaseMs }, input, count);
  },
)
  .use(observability())
  .use(parser({ schema: manifest.task.input }));
