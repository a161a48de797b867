import type { StepOf } from '../schema.ts';
import type { Json, JsonObject, TaskState } from './asl.ts';
import { executionPath, type StepRenderer, taskBase } from './context.ts';
import { failureRoute } from './failure.ts';
import { RETRY, retryCatch } from './retry.ts';
import type { StepValue } from './values.ts';

/** `{ trait, value }`, the value a literal or copied from the execution as it is (any JSON type). */
function traitValue(trait: string, value: StepValue): JsonObject {
  return typeof value === 'object' ? { trait, 'value.$': executionPath(value.from) } : { trait, value };
}

/**
 * updateProfile: the evaluate function sets, increments and unsets traits in
 * one conditional write (ProfileUpdateInput in shared/tasks.ts). A Lambda and
 * not the `dynamodb:updateItem` integration: a copied value's type is only
 * known at run time (a score of 9 must stay a number), and an increment of a
 * trait that is not a number must not lose the rest of the step. One
 * transition either way. A failure follows the failure policy.
 */
export const renderUpdateProfile: StepRenderer<StepOf<'updateProfile'>> = (id, step, ctx) => {
  const set: Json[] = Object.entries(step.set ?? {}).map(([trait, value]) => traitValue(trait, value));
  const increment: Json[] = Object.entries(step.increment ?? {}).map(([trait, by]) => ({ trait, by }));
  const failure = failureRoute(id, step.onFailure, step.next, ctx, 'profile not updated');
  const task: TaskState = {
    Type: 'Task',
    ...(step.label === undefined ? {} : { Comment: step.label }),
    Resource: ctx.bindings.evaluateFunctionArn,
    Parameters: {
      ...taskBase(ctx, id),
      op: 'updateProfile',
      set,
      increment,
      unset: [...(step.unset ?? [])],
      'visit.$': '$$.State.EnteredTime',
    },
    ResultPath: null,
    ...retryCatch(RETRY.lambda, [failure.rule]),
    Next: step.next,
  };
  return [[id, task], ...failure.states];
};
