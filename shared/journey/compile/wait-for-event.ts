import { readsDates } from '../../conditions/inspect.ts';
import { PERMANENT_ERRORS, StatesError } from '../../errors.ts';
import { durationSeconds, MAX_EXECUTION_SECONDS } from '../../time.ts';
import { requiredEventPaths } from '../requirements.ts';
import type { StepOf } from '../schema.ts';
import type { PassState, TaskState } from './asl.ts';
import { compact, executionPath, type StepRenderer, stateName, taskBase } from './context.ts';
import { failureRoute } from './failure.ts';
import { RETRY, retryCatch } from './retry.ts';

/** The integration that hands a task token to a Lambda function and waits for SendTaskSuccess. */
export const WAIT_FOR_TOKEN_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/**
 * waitForEvent: the await-event function registers the task token; ingest
 * resumes it with the matching event, which lands in `$.event` (branches read
 * it with Choice rules). `TimeoutSeconds` raises States.Timeout → onTimeout.
 * Correlation values are resolved here from the trigger, so the handler gets
 * plain values. A failure to register follows the failure policy (continue:
 * onTimeout). A timeout passes through one more Task that removes the waiter
 * at once (Step Functions tells nobody else): one transition on the timeout
 * path only; its failure never fails the journey (the waiter's TTL, ingest
 * and the end of the execution still remove it).
 *
 * An event answers one wait of an execution: a wait that may follow an
 * answered one is told that answer (`previous`), which is not its own even
 * when the step begins at the instant of the event — on the local runtime's
 * journey time, where a loop back to the wait would otherwise take the same
 * event again and again without time passing.
 */
export const renderWaitForEvent: StepRenderer<StepOf<'waitForEvent'>> = (id, step, ctx) => {
  const timeoutSeconds = Math.min(Math.max(durationSeconds(step.timeout) ?? 1, 1), MAX_EXECUTION_SECONDS);
  const match = Object.entries(step.match ?? {}).map(([path, from]) => ({
    path,
    'value.$': executionPath(from),
  }));
  const failure = failureRoute(id, step.onFailure, step.onTimeout, ctx, 'wait not registered', {
    count: true,
  });
  const requires = requiredEventPaths(ctx.journey, id);
  const task: TaskState = {
    Type: 'Task',
    ...(step.label === undefined ? {} : { Comment: step.label }),
    Resource: WAIT_FOR_TOKEN_RESOURCE,
    Parameters: {
      FunctionName: ctx.bindings.awaitEventFunctionArn,
      Payload: compact({
        ...taskBase(ctx, id),
        'token.$': '$$.Task.Token',
        event: step.event,
        where: step.where,
        // The zone the filter reads a date without an offset in, for a customer without one of their own.
        ...(step.where !== undefined && readsDates(step.where)
          ? { defaultTimezone: ctx.journey.settings.defaultTimezone }
          : {}),
        match,
        ...(requires.length === 0 ? {} : { requires }),
        timeoutSeconds,
        'startedAt.$': '$$.State.EnteredTime',
        'trigger.$': '$.trigger',
        ...(ctx.afterAnswer(id) ? { 'previous.$': '$.event.messageId' } : {}),
      }),
    },
    ResultPath: '$.event',
    TimeoutSeconds: timeoutSeconds,
    ...retryCatch(RETRY.lambda, [
      { errors: [StatesError.Timeout], resultPath: '$.timeout', next: stateName.timedOut(id) },
      failure.rule,
    ]),
    Next: step.onEvent,
  };
  const timedOut: TaskState = {
    Type: 'Task',
    Resource: ctx.bindings.awaitEventFunctionArn,
    Parameters: { ...taskBase(ctx, id), op: 'timedOut', event: step.event },
    ResultPath: null,
    ...retryCatch(RETRY.lambda, [
      {
        errors: [...PERMANENT_ERRORS, StatesError.TaskFailed],
        resultPath: '$.cleanupError',
        next: step.onTimeout,
      },
    ]),
    Next: step.onTimeout,
  };
  return [[id, task], [stateName.timedOut(id), timedOut], ...failure.states];
};

/** The first state of a journey with a wait that may, or may not, follow an answered one. */
export const NO_ANSWER_STATE = '_noAnswer';

/** No wait answered yet: `$.event.messageId` is null until a waitForEvent sets `$.event`. */
export function renderNoAnswer(next: string): PassState {
  return {
    Type: 'Pass',
    Comment: 'No awaited event yet',
    Result: { messageId: null },
    ResultPath: '$.event',
    Next: next,
  };
}
