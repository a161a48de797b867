import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { dynamoClient } from '#functions/_lib/clients/dynamo.ts';
import { now } from '#functions/_lib/clock.ts';
import { keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { profilesRepository, statsRepository } from '#functions/_lib/repositories.ts';
import type { EvaluateInput } from '#shared/tasks/evaluate.ts';
import { type EvaluateDeps, evaluate } from './evaluate.ts';
import { manifest } from './manifest.ts';
import { ProfileTraits } from './profile-traits.ts';

const config = lazyConfig(manifest);
const deps = keptPerColdStart<EvaluateDeps>();

/** Step Functions task: branch decisions, wait deadlines and profile updates on the fresh profile. */
export const handler = middy(async (input: EvaluateInput) => {
  const c = config();
  deps.value ??= {
    profiles: profilesRepository(c.PROFILES_TABLE_NAME),
    traits: new ProfileTraits(dynamoClient(), c.PROFILES_TABLE_NAME),
    stats: statsRepository(c.STATS_TABLE_NAME),
    now,
  };
  return evaluate(deps.value, input);
})
  .use(observability())
  .use(parser({ schema: manifest.task.input }));
