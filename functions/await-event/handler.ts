import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { now } from '#functions/_lib/clock.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { enrollmentItems, profilesRepository, registryRepository } from '#functions/_lib/repositories.ts';
import { AwaitEventInput, WaitTimedOutInput } from '#shared/tasks.ts';
import { type AwaitDeps, awaitEvent, waitTimedOut } from './await.ts';

let deps: AwaitDeps | undefined;

const Input = z.union([WaitTimedOutInput, AwaitEventInput]);

/**
 * Step Functions task (.waitForTaskToken): registers the token; ingest resumes
 * it when the event comes. With op "timedOut" (the step's timeout path) it
 * removes the waiter.
 */
export const handler = middy(async (input: z.infer<typeof Input>) => {
  deps ??= {
    profiles: profilesRepository(),
    enrollments: enrollmentItems(),
    journeys: registryRepository(),
    sfn: sfnClient(),
    now,
  };
  return 'op' in input ? waitTimedOut(deps, input) : awaitEvent(deps, input);
})
  .use(observability())
  .use(parser({ schema: Input }));
