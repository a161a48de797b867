import type { ChoiceBranch } from '../../conditions/choice.ts';
import { renderChoiceRule } from '../../conditions/choice.ts';
import { canRenderAsChoice, readsDates } from '../../conditions/inspect.ts';
import type { StepOf } from '../schema.ts';
import type { ChoiceState, TaskState } from './asl.ts';
import { contextData, eventData, type StepRenderer, stateName, taskBase } from './context.ts';
import { failureRoute } from './failure.ts';
import { RETRY, retryCatch } from './retry.ts';

type BranchStep = StepOf<'branch'>;

/** Where the execution carries what `trigger.*`, `event.*` and `context.*` conditions read. */
const ROOTS = { trigger: '$.trigger', event: '$.event', context: '$.context' };

/**
 * The Choice of a branch whose conditions read only data the execution
 * carries (trigger, awaited event); undefined when one needs the profile or
 * event history, which change while the journey runs.
 */
export function dataBranchChoice(step: BranchStep): { Choices: ChoiceBranch[]; Default: string } | undefined {
  if (!step.branches.every((b) => canRenderAsChoice(b.when))) return undefined;
  return {
    Choices: step.branches.map((b) => ({ ...renderChoiceRule(b.when, ROOTS), Next: b.next })),
    Default: step.otherwise,
  };
}

/**
 * branch: a Choice alone (one transition) when the conditions read only
 * execution data; otherwise the evaluate function decides on the fresh
 * profile (`$.decision.match`, -1 for otherwise) and a Choice routes on the
 * index (two transitions). A failure follows the failure policy (continue:
 * otherwise).
 */
export const renderBranch: StepRenderer<BranchStep> = (id, step, ctx) => {
  const comment = step.label === undefined ? {} : { Comment: step.label };
  const choice = dataBranchChoice(step);
  if (choice !== undefined) return [[id, { Type: 'Choice', ...comment, ...choice }]];
  const failure = failureRoute(id, step.onFailure, step.otherwise, ctx, 'branch not evaluated');
  const task: TaskState = {
    Type: 'Task',
    ...comment,
    Resource: ctx.bindings.evaluateFunctionArn,
    Parameters: {
      ...taskBase(ctx, id),
      op: 'branch',
      conditions: step.branches.map((b) => b.when),
      // The zone a date without an offset is read in, for a customer without one of their own.
      ...(step.branches.some((b) => readsDates(b.when))
        ? { defaultTimezone: ctx.journey.settings.defaultTimezone }
        : {}),
      ...eventData(ctx, id),
      ...contextData(ctx),
    },
    ResultPath: '$.decision',
    ...retryCatch(RETRY.lambda, [failure.rule]),
    Next: stateName.route(id),
  };
  const route: ChoiceState = {
    Type: 'Choice',
    Choices: step.branches.map((b, i) => ({ Variable: '$.decision.match', NumericEquals: i, Next: b.next })),
    Default: step.otherwise,
  };
  return [[id, task], [stateName.route(id), route], ...failure.states];
};
