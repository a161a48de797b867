import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { now } from '#functions/_lib/clock.ts';
import { observability } from '#functions/_lib/middleware.ts';
import {
  deliveriesRepository,
  enrollmentItems,
  outcomeWaiters,
  profilesRepository,
  registryRepository,
} from '#functions/_lib/repositories.ts';
import { AwaitOutcomeInput, OutcomeTimedOutInput } from '#shared/outcome-tasks.ts';
import { AwaitEventInput, WaitTimedOutInput } from '#shared/tasks.ts';
import { type AwaitDeps, awaitEvent, waitTimedOut } from './await.ts';
import { awaitOutcome, type OutcomeDeps, outcomeTimedOut } from './outcome.ts';

let deps: AwaitDeps | undefined;
let outcomeDeps: OutcomeDeps | undefined;

const Input = z.union([WaitTimedOutInput, AwaitOutcomeInput, OutcomeTimedOutInput, AwaitEventInput]);

/**
 * Step Functions task (.waitForTaskToken): registers the token; ingest resumes
 * it when the event comes. With op "timedOut" (the step's timeout path) it
 * removes the waiter. With op "outcome" it registers a message step's wait
 * for delivery feedback (resumed by delivery-feedback); "outcomeTimedOut"
 * removes that waiter when the window closes.
 */
export const handler = middy(async (input: z.infer<typeof Input>) => {
  if ('op' in input && (input.op === 'outcome' || input.op === 'outcomeTimedOut')) {
    outcomeDeps ??= { waiters: outcomeWaiters(), deliveries: deliveriesRepository(), sfn: sfnClient(), now };
    return input.op === 'outcome' ? awaitOutcome(outcomeDeps, input) : outcomeTimedOut(outcomeDeps, input);
  }
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
