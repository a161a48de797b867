import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { client } from '#functions/_lib/clients.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { metrics } from '#functions/_lib/observability.ts';
import { deliveriesRepository, profilesRepository, statsRepository } from '#functions/_lib/repositories.ts';
import { TemplateStore } from '#functions/_lib/templates.ts';
import { SendMessageInput, type SendMessageOutput } from '#shared/tasks.ts';
import { type SendDeps, sendMessage } from './send.ts';

const config = lazyConfig([
  'JOURNEYS_BUCKET_NAME',
  'SES_CONFIGURATION_SET',
  'SENDER_EMAIL',
  'PINPOINT_APPLICATION_ID',
  'UNSUBSCRIBE_BASE_URL',
]);
let deps: SendDeps | undefined;

function sendDeps(): SendDeps {
  const c = config();
  deps ??= {
    profiles: profilesRepository(),
    deliveries: deliveriesRepository(),
    stats: statsRepository(),
    templates: new TemplateStore(client('s3'), c.JOURNEYS_BUCKET_NAME),
    ses: client('ses'),
    pinpoint: client('pinpoint'),
    config: {
      senderEmail: c.SENDER_EMAIL,
      configurationSet: c.SES_CONFIGURATION_SET,
      pinpointApplicationId: c.PINPOINT_APPLICATION_ID,
      unsubscribeBaseUrl: c.UNSUBSCRIBE_BASE_URL,
    },
    now: () => new Date(),
  };
  return deps;
}

/** Step Functions task: deliver one message of a journey step (or say why not now / not at all). */
export const handler = middy(async (input: SendMessageInput): Promise<SendMessageOutput> => {
  const output = await sendMessage(sendDeps(), input);
  metrics.addDimension('channel', input.channel);
  metrics.addMetric(`Message_${output.status}`, MetricUnit.Count, 1);
  return output;
})
  .use(observability())
  .use(parser({ schema: SendMessageInput }));
