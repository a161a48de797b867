import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { now } from '#functions/_lib/clock.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { enrollmentItems, profilesRepository, registryRepository } from '#functions/_lib/repositories.ts';
import { AwaitEventInput } from '#shared/tasks.ts';
import { type AwaitDeps, awaitEvent } from './await.ts';

let deps: AwaitDeps | undefined;

/** Step Functions task (.waitForTaskToken): registers the token; ingest resumes it when the event comes. */
export const handler = middy(async (input: AwaitEventInput) => {
  deps ??= {
    profiles: profilesRepository(),
    enrollments: enrollmentItems(),
    journeys: registryRepository(),
    sfn: sfnClient(),
    now,
  };
  return awaitEvent(deps, input);
})
  .use(observability())
  .use(parser({ schema: AwaitEventInput }));
