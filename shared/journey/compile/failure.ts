import { PERMANENT_ERRORS, StatesError } from '../../errors.ts';
import type { FailurePolicy } from '../schema.ts';
import type { PassState } from './asl.ts';
import { type RenderContext, stateName } from './context.ts';
import type { CatchRule } from './retry.ts';

/** What a step that can fail on data adds: its catcher, and the exit state when the policy is to exit. */
export type FailureRoute = { rule: CatchRule; states: [string, PassState][] };

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
): FailureRoute {
  const exit = (policy ?? ctx.journey.settings.onFailure) === 'exit';
  const rule: CatchRule = {
    errors: [...PERMANENT_ERRORS, StatesError.TaskFailed],
    resultPath: '$.failure',
    next: exit ? stateName.failed(id) : continueTo,
  };
  if (!exit) return { rule, states: [] };
  const failed: PassState = {
    Type: 'Pass',
    Parameters: { stepId: id, reason, 'error.$': '$.failure.Error' },
    ResultPath: '$.exit',
    End: true,
  };
  return { rule, states: [[stateName.failed(id), failed]] };
}
