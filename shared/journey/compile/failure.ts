import { PERMANENT_ERRORS, StatesError } from '../../errors.ts';
import type { FailurePolicy } from '../schema.ts';
import type { PassState, TaskState } from './asl.ts';
import { type RenderContext, stateName, taskBase } from './context.ts';
import { type CatchRule, RETRY, retryCatch } from './retry.ts';

/** What a step that can fail on data adds: its catcher, and the states on its failure path. */
export type FailureRoute = { rule: CatchRule; states: [string, PassState | TaskState][] };

/**
 * A step's failure policy (its own `onFailure`, else the journey's): on an
 * error that will not succeed on retry — ours, or a transient one whose
 * retries ran out — the enrollment goes on to `continueTo`, or ends through
 * an exit that records the step and the error in `$.exit`. The error itself
 * stays in `$.failure` either way. Errors nobody names (a bug) are not caught:
 * the execution fails, and failed executions are alarmed.
 */
export function failureRoute(
  id: string,
  policy: FailurePolicy | undefined,
  continueTo: string,
  ctx: RenderContext,
  reason: string,
  options: { count?: boolean } = {},
): FailureRoute {
  const exit = (policy ?? ctx.journey.settings.onFailure) === 'exit';
  const after = exit ? stateName.failed(id) : continueTo;
  const rule: CatchRule = {
    errors: [...PERMANENT_ERRORS, StatesError.TaskFailed],
    resultPath: '$.failure',
    next: options.count ? stateName.countFailure(id) : after,
  };
  const counting: [string, TaskState][] = options.count
    ? [[stateName.countFailure(id), countFailure(id, after, ctx)]]
    : [];
  if (!exit) return { rule, states: counting };
  const failed: PassState = {
    Type: 'Pass',
    Parameters: { stepId: id, reason, 'error.$': '$.failure.Error' },
    ResultPath: '$.exit',
    End: true,
  };
  return { rule, states: [...counting, [stateName.failed(id), failed]] };
}

/**
 * For a step whose work no handler of ours finishes (a bus integration, a
 * wait whose registration failed), one Task on the failure path counts the
 * failure on the step with the error's kind (evaluate, op stepFailed). Only
 * the failure path pays the transition; a failure to count never changes
 * where the enrollment goes.
 */
function countFailure(id: string, next: string, ctx: RenderContext): TaskState {
  return {
    Type: 'Task',
    Resource: ctx.bindings.evaluateFunctionArn,
    Parameters: { ...taskBase(ctx, id), op: 'stepFailed', 'error.$': '$.failure.Error' },
    ResultPath: null,
    ...retryCatch(RETRY.lambda, [
      { errors: [...PERMANENT_ERRORS, StatesError.TaskFailed], resultPath: '$.countError', next },
    ]),
    Next: next,
  };
}
