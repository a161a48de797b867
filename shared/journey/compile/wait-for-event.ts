import { StatesError } from '../../errors.ts';
import { durationSeconds, MAX_EXECUTION_SECONDS } from '../../time.ts';
import type { StepOf } from '../schema.ts';
import type { TaskState } from './asl.ts';
import { compact, executionPath, type StepRenderer, taskBase } from './context.ts';
import { lambdaRetry } from './retry.ts';

/** The integration that hands a task token to a Lambda function and waits for SendTaskSuccess. */
export const WAIT_FOR_TOKEN_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/**
 * waitForEvent: the await-event function registers the task token; ingest
 * resumes it with the matching event, which lands in `$.event` (branches read
 * it with Choice rules). `TimeoutSeconds` raises States.Timeout → onTimeout.
 * Correlation values are resolved here from the trigger, so the handler gets
 * plain values.
 */
export const renderWaitForEvent: StepRenderer<StepOf<'waitForEvent'>> = (id, step, ctx) => {
  const timeoutSeconds = Math.min(Math.max(durationSeconds(step.timeout) ?? 1, 1), MAX_EXECUTION_SECONDS);
  const match = Object.entries(step.match ?? {}).map(([path, from]) => ({
    path,
    'value.$': executionPath(from),
  }));
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
        match,
        timeoutSeconds,
        'startedAt.$': '$$.State.EnteredTime',
        'trigger.$': '$.trigger',
      }),
    },
    ResultPath: '$.event',
    TimeoutSeconds: timeoutSeconds,
    Retry: lambdaRetry(),
    Catch: [{ ErrorEquals: [StatesError.Timeout], ResultPath: '$.timeout', Next: step.onTimeout }],
    Next: step.onEvent,
  };
  return [[id, task]];
};
