import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { EventBridgeEvent } from '#functions/_lib/eventbridge-event.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { logger } from '#functions/_lib/observability.ts';
import { enrollmentItems, profilesRepository, statsRepository } from '#functions/_lib/repositories.ts';
import { executionStatusChanged, type StatusDeps } from './status.ts';

let deps: StatusDeps | undefined;

/** Step Functions "Execution Status Change" events of journey executions (default bus). */
export const handler = middy(async (event: EventBridgeEvent) => {
  deps ??= {
    enrollments: enrollmentItems(),
    profiles: profilesRepository(),
    stats: statsRepository(),
  };
  const result = await executionStatusChanged(deps, event.detail);
  if (result.status === 'ignored') logger.info('execution status change ignored', { reason: result.reason });
  return result;
})
  .use(observability())
  .use(parser({ schema: EventBridgeEvent }));
