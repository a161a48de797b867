import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { eventsClient } from '#functions/_lib/clients/events.ts';
import { s3Client } from '#functions/_lib/clients/s3.ts';
import { schedulerClient } from '#functions/_lib/clients/scheduler.ts';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { now } from '#functions/_lib/clock.ts';
import { keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { logger } from '#functions/_lib/observability.ts';
import { registryRepository, statsRetention, templateSnapshots } from '#functions/_lib/repositories.ts';
import { DEFAULT_STATE_MACHINE_PREFIX } from '#shared/journey/state-machine-name.ts';
import { DEFAULT_VERSIONS_KEPT } from '#shared/journey/version-retention.ts';
import { type DeployDeps, deployFromS3, S3Notification } from './deploy.ts';
import { manifest } from './manifest.ts';
import type { ScheduleConfig } from './schedules.ts';
import { MAX_DELETES_PER_DEPLOY } from './versions.ts';

const config = lazyConfig(manifest);
const deps = keptPerColdStart<DeployDeps>();

/** Schedules are managed when the stack names the group, the target and the role. */
function scheduleConfig(c: ReturnType<typeof config>): ScheduleConfig | undefined {
  const {
    SEGMENT_ENTRY_FUNCTION_ARN: targetArn,
    SCHEDULER_ROLE_ARN: roleArn,
    SCHEDULE_GROUP_NAME: groupName,
    SCHEDULE_DEAD_LETTER_ARN: deadLetterArn,
  } = c;
  if (targetArn === undefined || roleArn === undefined || groupName === undefined) return undefined;
  return { scheduler: schedulerClient(), groupName, targetArn, roleArn, deadLetterArn };
}

function deployDeps(): DeployDeps {
  const c = config();
  const connections = c.WEBHOOK_CONNECTIONS ?? new Map<string, { arn: string; baseUrl: string }>();
  deps.value ??= {
    s3: s3Client(c.S3_FORCE_PATH_STYLE),
    sfn: sfnClient(),
    events: eventsClient(),
    registry: registryRepository(c.JOURNEYS_TABLE_NAME),
    templates: templateSnapshots(c.JOURNEYS_TABLE_NAME),
    stats: statsRetention(c.STATS_TABLE_NAME),
    config: {
      eventBus: c.EVENT_BUS_NAME,
      roleArn: c.JOURNEY_ROLE_ARN,
      namePrefix: c.JOURNEY_NAME_PREFIX ?? DEFAULT_STATE_MACHINE_PREFIX,
      logGroupArn: c.JOURNEY_LOG_GROUP_ARN,
      tags: c.JOURNEY_TAGS ?? new Map<string, string>(),
      connections: new Map([...connections].map(([name, { baseUrl }]) => [name, baseUrl])),
      versions: {
        keep: c.JOURNEY_VERSIONS_KEPT ?? DEFAULT_VERSIONS_KEPT,
        maxDeletes: MAX_DELETES_PER_DEPLOY,
      },
      bindings: {
        sendMessageFunctionArn: c.SEND_MESSAGE_FUNCTION_ARN,
        evaluateFunctionArn: c.EVALUATE_FUNCTION_ARN,
        awaitEventFunctionArn: c.AWAIT_EVENT_FUNCTION_ARN,
        profilesTableName: c.PROFILES_TABLE_NAME,
        eventBusName: c.EVENT_BUS_NAME,
        connectionArns: new Map([...connections].map(([name, { arn }]) => [name, arn])),
      },
    },
    schedules: scheduleConfig(c),
    now,
  };
  return deps.value;
}

/** S3 "Object Created" / "Object Deleted" (via EventBridge) for journeys/*.json: validate, compile, publish. */
export const handler = middy(async (notification: S3Notification) => {
  const result = await deployFromS3(deployDeps(), notification);
  logger.info('deploy result', { result });
  return result;
})
  .use(observability())
  .use(parser({ schema: S3Notification }));
