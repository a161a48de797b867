import { PERMANENT_ERRORS, StatesError } from '../../errors.ts';
import type { MessageStep } from '../schema.ts';
import type { ChoiceState, JsonObject, PassState, TaskState, WaitState } from './asl.ts';
import { compact, eventData, type RenderContext, type StepRenderer, stateName, taskBase } from './context.ts';
import { lambdaRetry } from './retry.ts';

function channelOptions(step: MessageStep): JsonObject {
  switch (step.type) {
    case 'email':
      return compact({ from: step.from, replyTo: step.replyTo });
    case 'sms':
      return compact({ messageType: step.messageType, originationNumber: step.originationNumber });
    case 'push':
      return compact({ priority: step.priority, timeToLive: step.timeToLive });
  }
}

/** The send-message input (SendMessageInput in shared/tasks.ts). */
function sendInput(id: string, step: MessageStep, ctx: RenderContext): JsonObject {
  const { settings } = ctx.journey;
  return compact({
    ...taskBase(ctx, id),
    channel: step.type,
    template: step.template,
    ...eventData(ctx, id),
    quietHours: settings.quietHours,
    defaultTimezone: settings.defaultTimezone,
    topic: settings.topic,
    transactional: step.type === 'email' ? step.transactional : false,
    caps: settings.caps?.map((cap) => compact({ channel: cap.channel, max: cap.max, within: cap.within })),
    options: channelOptions(step),
  });
}

/**
 * email / sms / push: a Task on send-message, then one Choice that both loops
 * a deferred send through a Wait (until `$.send.until`) and routes onwards —
 * taking over the rules of the next step when that step is only a Choice, so
 * a sent message costs two transitions and the next Choice none. A permanent
 * failure follows the failure policy: on to `next`, or out through an exit.
 */
export const renderMessage: StepRenderer<MessageStep> = (id, step, ctx) => {
  const exitOnFailure = (step.onFailure ?? ctx.journey.settings.onFailure) === 'exit';
  const task: TaskState = {
    Type: 'Task',
    ...(step.label === undefined ? {} : { Comment: step.label }),
    Resource: ctx.bindings.sendMessageFunctionArn,
    Parameters: sendInput(id, step, ctx),
    ResultPath: '$.send',
    Retry: lambdaRetry(),
    Catch: [
      {
        ErrorEquals: [...PERMANENT_ERRORS, StatesError.TaskFailed],
        ResultPath: '$.failure',
        Next: exitOnFailure ? stateName.failed(id) : step.next,
      },
    ],
    Next: stateName.result(id),
  };
  const following = ctx.choiceOf(step.next);
  const result: ChoiceState = {
    Type: 'Choice',
    Choices: [
      { Variable: '$.send.status', StringEquals: 'deferred', Next: stateName.defer(id) },
      ...(following?.Choices ?? []),
    ],
    Default: following?.Default ?? step.next,
  };
  const defer: WaitState = { Type: 'Wait', TimestampPath: '$.send.until', Next: id };
  const states: [string, TaskState | ChoiceState | WaitState | PassState][] = [
    [id, task],
    [stateName.result(id), result],
    [stateName.defer(id), defer],
  ];
  if (exitOnFailure) {
    states.push([
      stateName.failed(id),
      {
        Type: 'Pass',
        Result: { stepId: id, reason: 'message not delivered' },
        ResultPath: '$.exit',
        End: true,
      },
    ]);
  }
  return states;
};
