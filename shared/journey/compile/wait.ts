import { waitSeconds } from '../../time.ts';
import type { StepOf } from '../schema.ts';
import type { TaskState, WaitState } from './asl.ts';
import { compact, type StepRenderer, stateName, taskBase } from './context.ts';
import { failureRoute } from './failure.ts';
import { RETRY, retryCatch } from './retry.ts';

type WaitStep = StepOf<'wait'>;

function label(step: WaitStep): { Comment?: string } {
  return step.label === undefined ? {} : { Comment: step.label };
}

/**
 * wait: a duration is a Wait on Seconds, a timestamp a Wait on Timestamp —
 * one transition. A profile date ± offset or a local-time window depends on
 * the fresh profile and its time zone: the evaluate function computes the
 * moment (`$.waitUntil.at`), then a Wait on TimestampPath — two transitions.
 * When it cannot (the profile date is missing) the failure policy applies:
 * continue goes on to `next` at once.
 */
export const renderWait: StepRenderer<WaitStep> = (id, step, ctx) => {
  const fixed = step.untilDate === undefined && step.window === undefined;
  if (fixed && step.until === undefined) {
    return [
      [id, { Type: 'Wait', ...label(step), Seconds: waitSeconds(step.for ?? 'PT0S'), Next: step.next }],
    ];
  }
  if (fixed && step.until !== undefined && step.for === undefined) {
    const at = new Date(step.until).toISOString();
    return [[id, { Type: 'Wait', ...label(step), Timestamp: at, Next: step.next }]];
  }
  const failure = failureRoute(id, step.onFailure, step.next, ctx, 'wait not computed');
  const task: TaskState = {
    Type: 'Task',
    ...label(step),
    Resource: ctx.bindings.evaluateFunctionArn,
    Parameters: compact({
      ...taskBase(ctx, id),
      op: 'waitUntil',
      for: step.for,
      until: step.until,
      untilDate: step.untilDate === undefined ? undefined : compact({ ...step.untilDate }),
      window: step.window === undefined ? undefined : compact({ ...step.window }),
      defaultTimezone: ctx.journey.settings.defaultTimezone,
      'trigger.$': '$.trigger',
    }),
    ResultPath: '$.waitUntil',
    ...retryCatch(RETRY.lambda, [failure.rule]),
    Next: stateName.at(id),
  };
  const wait: WaitState = { Type: 'Wait', TimestampPath: '$.waitUntil.at', Next: step.next };
  return [[id, task], [stateName.at(id), wait], ...failure.states];
};
