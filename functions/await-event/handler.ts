import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { now } from '#functions/_lib/clock.ts';
import { keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { observability } from '#functions/_lib/middleware.ts';
import {
  deliveriesRepository,
  enrollmentItems,
  outcomeWaiters,
  profilesRepository,
  registryRepository,
  statsRepository,
} from '#functions/_lib/repositories.ts';
import type * as z from '#shared/zod.ts';
import { type AwaitDeps, awaitEvent, waitTimedOut } from './await.ts';
import { manifest } from './manifest.ts';
import { awaitOutcome, type OutcomeDeps, outcomeTimedOut } from './outcome.ts';

const config = lazyConfig(manifest);
const deps = keptPerColdStart<AwaitDeps>();
const outcomeDeps = keptPerColdStart<OutcomeDeps>();

const Input = manifest.task.input;

/**
 * Step Functions task (.waitForTaskToken): registers the token; ingest resumes
 * it when the event comes. With op "timedOut" (the step's timeout path) it
 * removes the waiter. With op "outcome" it registers a message step's wait
 * for delivery feedback (resumed by delivery-feedback); "outcomeTimedOut"
 * removes that waiter when the window closes.
 */
export const handler = middy(async (input: z.infer<typeof Input>) => {
  const c = config();
  if ('op' in input && (input.op === 'outcome' || input.op === 'outcomeTimedOut')) {
    outcomeDeps.value ??= {
      waiters: outcomeWaiters(c.ENROLLMENTS_TABLE_NAME),
      deliveries: deliveriesRepository(c.DELIVERIES_TABLE_NAME),
      sfn: sfnClient(),
      now,
    };
    return input.op === 'outcome'
      ? awaitOutcome(outcomeDeps.value, input)
      : outcomeTimedOut(outcomeDeps.value, input);
  }
  deps.value ??= {
    profiles: profilesRepository(c.PROFILES_TABLE_NAME),
    enrollments: enrollmentItems(c.ENROLLMENTS_TABLE_NAME),
    journeys: registryRepository(c.JOURNEYS_TABLE_NAME),
    stats: statsRepository(c.STATS_TABLE_NAME),
    sfn: sfnClient(),
    now,
  };
  return 'op' in input ? waitTimedOut(deps.value, input) : awaitEvent(deps.value, input);
})
  .use(observability())
  .use(parser({ schema: Input }));
