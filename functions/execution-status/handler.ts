import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { EventBridgeEvent } from '#functions/_lib/eventbridge-event.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { logger } from '#functions/_lib/observability.ts';
import { enrollmentItems, profilesRepository, statsRepository } from '#functions/_lib/repositories.ts';
import { manifest } from './manifest.ts';
import { executionStatusChanged, type StatusDeps } from './status.ts';

const config = lazyConfig(manifest);
const deps = keptPerColdStart<StatusDeps>();

/** Step Functions "Execution Status Change" events of journey executions (default bus). */
export const handler = middy(async (event: EventBridgeEvent) => {
  const c = config();
  deps.value ??= {
    enrollments: enrollmentItems(c.ENROLLMENTS_TABLE_NAME),
    profiles: profilesRepository(c.PROFILES_TABLE_NAME),
    stats: statsRepository(c.STATS_TABLE_NAME),
    describeExecution: async (executionArn) => {
      const out = await sfnClient().send(new DescribeExecutionCommand({ executionArn }));
      return {
        ...(out.input === undefined ? {} : { input: out.input }),
        ...(out.output === undefined ? {} : { output: out.output }),
      };
    },
  };
  const result = await executionStatusChanged(deps.value, event.detail);
  if (result.status === 'ignored') logger.info('execution status change ignored', { reason: result.reason });
  return result;
})
  .use(observability())
  .use(parser({ schema: EventBridgeEvent }));
