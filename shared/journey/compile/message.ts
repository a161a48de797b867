import {
  ErrorName,
  LAMBDA_CRASH_ERRORS,
  PERMANENT_ERRORS,
  RETRYABLE_ERRORS,
  StatesError,
} from '../../errors.ts';
import type { MessageStep } from '../schema.ts';
import { variantSplitOf } from '../variant-split.ts';
import type { JsonObject, PassState, TaskState, WaitState } from './asl.ts';
import {
  compact,
  contextData,
  eventData,
  type RenderContext,
  type Rendered,
  type StepRenderer,
  stateName,
  taskBase,
} from './context.ts';
import { type FailureRoute, failureRoute } from './failure.ts';
import { fallbackChain } from './fallback.ts';
import { renderOnOutcome } from './outcome.ts';
import { RETRY, retryCatch, sendRetry } from './retry.ts';
import { bucketPath } from './split.ts';

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

/**
 * Errors a send is retried on: when the retries run out, the last attempt's
 * failure (or the outcome it left unknown) is final, and the send task is
 * called once more to count it before the failure policy applies.
 */
const EXHAUSTIBLE_ERRORS = [...RETRYABLE_ERRORS, ...LAMBDA_CRASH_ERRORS];

/**
 * Where a step on a loop keeps the visit its sends are keyed by: written as
 * the step is entered, read by every attempt of the visit (retries, a
 * deferral's return, the failure path), so each visit is one message and
 * each message is sent once.
 */
const VISIT = { path: '$.stepVisit', read: '$.stepVisit.at' } as const;

/** The visit field of a send's input, for a step on a loop. */
function visitOf(onLoop: boolean): JsonObject {
  return onLoop ? { 'visit.$': VISIT.read } : {};
}

/**
 * The split the step's sends are counted by, for each variant (`variantSplitOf`): its variants and
 * the enrollment's bucket there, from which send-message tells the variant without reading anything.
 * `owner`: the message step (a fallback's state counts by its step's split).
 */
function splitOf(owner: string, ctx: RenderContext): JsonObject {
  const split = variantSplitOf(ctx.journey, owner);
  const step = split === undefined ? undefined : ctx.journey.steps[split];
  if (split === undefined || step?.type !== 'split') return {};
  const variants = step.variants.map((v) => ({ name: v.name, weight: v.weight }));
  return { split: { stepId: split, 'bucket.$': bucketPath(split), variants } };
}

/** The send-message input (SendMessageInput in shared/tasks.ts). */
function sendInput(
  id: string,
  step: MessageStep,
  ctx: RenderContext,
  { onLoop, owner }: { onLoop: boolean; owner: string },
): JsonObject {
  const { settings } = ctx.journey;
  return compact({
    ...taskBase(ctx, id),
    ...visitOf(onLoop),
    ...splitOf(owner, ctx),
    channel: step.type,
    template: step.template,
    ...eventData(ctx, id),
    ...contextData(ctx),
    quietHours: settings.quietHours,
    defaultTimezone: settings.defaultTimezone,
    topic: settings.topic,
    transactional: step.type === 'email' ? step.transactional : false,
    caps: settings.caps?.map((cap) => compact({ channel: cap.channel, max: cap.max, within: cap.within })),
    onUnknown: step.onUnknown,
    outcomeWait: step.onOutcome !== undefined,
    options: channelOptions(step),
  });
}

/**
 * email / sms / push: a Task on send-message whose success goes straight on,
 * so a message that goes out costs one transition. A deferred send (quiet
 * hours, a frequency cap) comes back as the `Journeys.Deferred` error whose
 * message is the time to try again: a Pass reads it out of the error cause and
 * a Wait holds the enrollment until then, then the Task runs again. A
 * permanent failure follows the failure policy: on to `next`, or out through
 * an exit.
 */
export const renderMessage: StepRenderer<MessageStep> = (id, step, ctx) => {
  const { fallback } = step;
  const onLoop = ctx.onLoop(id);
  const chain: [string, MessageStep][] =
    fallback === undefined ? [[id, step]] : fallbackChain(id, { ...step, fallback });
  const sends = chain.flatMap(([stateId, message]) =>
    renderSend(stateId, message, ctx, {
      onLoop,
      owner: id,
      task: onLoop && stateId === id ? stateName.send(id) : stateId,
    }),
  );
  if (!onLoop) return sends;
  // A step an enrollment can come back to: entering it starts a visit, and the send is its own Task.
  const entry: PassState = {
    Type: 'Pass',
    Parameters: { 'at.$': '$$.State.EnteredTime' },
    ResultPath: VISIT.path,
    Next: stateName.send(id),
  };
  return [[id, entry], ...sends];
};

/**
 * One send. With `onOutcome`, success goes to its Choice, and a send the
 * provider refuses goes to the failed branch when there is one (instead of
 * the failure policy).
 */
/**
 * `task`: the name of the send's Task (the step id, or on a loop the state
 * after the one that starts a visit); `onLoop`: its input names the visit.
 */
function renderSend(
  id: string,
  step: MessageStep,
  ctx: RenderContext,
  { onLoop, owner, task: taskName }: { onLoop: boolean; owner: string; task: string },
): Rendered {
  const outcome =
    step.onOutcome === undefined ? undefined : renderOnOutcome(id, step.type, step.onOutcome, step.next, ctx);
  const failure: FailureRoute =
    outcome?.failedTo === undefined
      ? failureRoute(id, step.onFailure, step.next, ctx, 'message not delivered')
      : {
          rule: {
            errors: [...PERMANENT_ERRORS, StatesError.TaskFailed],
            resultPath: '$.failure',
            next: outcome.failedTo,
          },
          states: [],
        };
  const task: TaskState = {
    Type: 'Task',
    ...(step.label === undefined ? {} : { Comment: step.label }),
    Resource: ctx.bindings.sendMessageFunctionArn,
    Parameters: sendInput(id, step, ctx, { onLoop, owner }),
    ResultPath: '$.send',
    ...retryCatch(
      RETRY.lambda,
      [
        { errors: [ErrorName.Deferred], resultPath: '$.deferral', next: stateName.deferred(id) },
        { errors: EXHAUSTIBLE_ERRORS, resultPath: '$.failure', next: stateName.exhausted(id) },
        failure.rule,
      ],
      sendRetry(step.onUnknown === 'retry'),
    ),
    Next: outcome?.next ?? step.next,
  };
  const exhausted: TaskState = {
    Type: 'Task',
    Resource: ctx.bindings.sendMessageFunctionArn,
    Parameters: {
      ...taskBase(ctx, id),
      ...visitOf(onLoop),
      ...splitOf(owner, ctx),
      channel: step.type,
      template: step.template,
      // Nothing is rendered on this call: the trigger is not passed again.
      trigger: null,
      defaultTimezone: ctx.journey.settings.defaultTimezone,
      exhausted: { 'error.$': '$.failure.Error' },
    },
    ResultPath: null,
    // Counting never changes where the enrollment goes; kept small, as every message step has it:
    // while an earlier attempt still holds the send (until its invocation's time limit and 5 s), count again
    // after 30, 60 and 120 s, so its outcome is counted or settled as unknown; one retry of anything
    // else; then on as the failure does.
    Retry: [
      { ErrorEquals: [ErrorName.SendInProgress], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 2 },
      { ErrorEquals: [StatesError.All], IntervalSeconds: 2, MaxAttempts: 1, BackoffRate: 1 },
    ],
    Catch: [{ ErrorEquals: [StatesError.All], ResultPath: '$.countError', Next: failure.rule.next }],
    Next: failure.rule.next,
  };
  // A Lambda error's Cause is the JSON {"errorType", "errorMessage", "trace"}.
  const deferred: PassState = {
    Type: 'Pass',
    Parameters: { 'cause.$': 'States.StringToJson($.deferral.Cause)' },
    ResultPath: '$.deferral',
    Next: stateName.defer(id),
  };
  // Back to the send itself (on a loop, entering the step would start another visit).
  const defer: WaitState = { Type: 'Wait', TimestampPath: '$.deferral.cause.errorMessage', Next: taskName };
  return [
    [taskName, task],
    [stateName.exhausted(id), exhausted],
    [stateName.deferred(id), deferred],
    [stateName.defer(id), defer],
    ...failure.states,
    ...(outcome?.states ?? []),
  ];
}
