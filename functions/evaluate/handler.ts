import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { now } from '#functions/_lib/clock.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { profilesRepository } from '#functions/_lib/repositories.ts';
import { EvaluateInput } from '#shared/tasks.ts';
import { type EvaluateDeps, evaluate } from './evaluate.ts';

let deps: EvaluateDeps | undefined;

/** Step Functions task: branch decisions and wait deadlines on the fresh profile. */
export const handler = middy(async (input: EvaluateInput) => {
  deps ??= { profiles: profilesRepository(), now };
  return evaluate(deps, input);
})
  .use(observability())
  .use(parser({ schema: EvaluateInput }));
