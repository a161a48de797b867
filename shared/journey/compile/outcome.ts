import type { Channel } from '../../channels.ts';
import type { ChoiceBranch } from '../../conditions/choice.ts';
import { PERMANENT_ERRORS, StatesError } from '../../errors.ts';
import { durationSeconds, MAX_EXECUTION_SECONDS } from '../../time.ts';
import {
  FEEDBACK_OUTCOMES,
  type MessageOutcome,
  type OnOutcome,
  outcomesOf,
  reportedLater,
} from '../outcome.ts';
import type { ChoiceState, TaskState } from './asl.ts';
import { type RenderContext, type Rendered, taskBase } from './context.ts';
import { RETRY, retryCatch } from './retry.ts';
import { WAIT_FOR_TOKEN_RESOURCE } from './wait-for-event.ts';

/** Names of the states a message step with `onOutcome` adds (ids have no '.', so none clashes with a step). */
const outcomeState = {
  choice: (id: string) => `${id}.outcome`,
  await: (id: string) => `${id}.await`,
  is: (id: string) => `${id}.outcomeIs`,
  timedOut: (id: string) => `${id}.outcomeTimedOut`,
} as const;

/** Each outcome with the branch it takes: the first branch that lists it. */
function routes(onOutcome: OnOutcome): Map<MessageOutcome, string> {
  const out = new Map<MessageOutcome, string>();
  for (const branch of onOutcome.branches)
    for (const outcome of outcomesOf(branch)) if (!out.has(outcome)) out.set(outcome, branch.next);
  return out;
}

/** What a message step's Task does with `onOutcome`: where a send goes, where a refused send goes, and the states. */
export type OutcomeRoute = { next: string; failedTo?: string; states: Rendered };

function rules(variable: string, pairs: [string, string][]): ChoiceBranch[] {
  return pairs.map(([value, next]) => ({ Variable: variable, StringEquals: value, Next: next }));
}

/**
 * A message step that branches on its outcome. After the send, one Choice
 * on `$.send.status` takes the outcomes known at once (sent, suppressed,
 * unknown) and, when a feedback outcome is awaited, sends a sent message to
 * a `.waitForTaskToken` Task on await-event that registers the token under
 * the provider's message id; delivery feedback resumes it with the outcome
 * (in `$.outcome`), and a second Choice takes its branch. A send the
 * provider refuses (`failed`) goes to the failed branch straight from the
 * Task's catcher. The window closing passes through one Task that removes
 * the waiter (its failure never fails the journey); nothing listed, or
 * nothing in time: on to `next`.
 */
export function renderOnOutcome(
  id: string,
  channel: Channel,
  onOutcome: OnOutcome,
  next: string,
  ctx: RenderContext,
  stateId: string = id,
): OutcomeRoute {
  const route = routes(onOutcome);
  // Only what the channel reports later is waited for: a push's failure is known at the send, or never.
  const reported = reportedLater(channel);
  const awaited = FEEDBACK_OUTCOMES.filter((o) => route.has(o) && reported.has(o));
  const immediate: [string, string][] = (['sent', 'suppressed', 'unknown'] as const).flatMap((o) => {
    const to = route.get(o);
    return to === undefined ? [] : [[o, to] as [string, string]];
  });
  const failedTo = route.get('failed');
  const choice: ChoiceState = {
    Type: 'Choice',
    Choices: [
      ...rules('$.send.status', immediate),
      ...(awaited.length > 0 ? rules('$.send.status', [['sent', outcomeState.await(stateId)]]) : []),
    ],
    Default: next,
  };
  // A Choice needs a rule: with nothing to wait for and nothing known at once, the send goes straight on.
  if (choice.Choices.length === 0)
    return { next, ...(failedTo === undefined ? {} : { failedTo }), states: [] };
  const states: Rendered = [[outcomeState.choice(stateId), choice]];
  if (awaited.length > 0) states.push(...awaitStates(stateId, awaited, route, onOutcome.within, next, ctx));
  return { next: outcomeState.choice(stateId), ...(failedTo === undefined ? {} : { failedTo }), states };
}

function awaitStates(
  id: string,
  awaited: readonly MessageOutcome[],
  route: ReadonlyMap<MessageOutcome, string>,
  within: string,
  next: string,
  ctx: RenderContext,
): Rendered {
  const timeoutSeconds = Math.min(Math.max(durationSeconds(within) ?? 1, 1), MAX_EXECUTION_SECONDS);
  const wait: TaskState = {
    Type: 'Task',
    Resource: WAIT_FOR_TOKEN_RESOURCE,
    Parameters: {
      FunctionName: ctx.bindings.awaitEventFunctionArn,
      Payload: {
        ...taskBase(ctx, id),
        op: 'outcome',
        'token.$': '$$.Task.Token',
        'messageId.$': '$.send.messageId',
        outcomes: [...awaited],
        timeoutSeconds,
        'startedAt.$': '$$.State.EnteredTime',
      },
    },
    ResultPath: '$.outcome',
    TimeoutSeconds: timeoutSeconds,
    ...retryCatch(RETRY.lambda, [
      { errors: [StatesError.Timeout], resultPath: '$.outcomeTimeout', next: outcomeState.timedOut(id) },
      // The wait could not be registered: as if nothing came in time.
      { errors: [...PERMANENT_ERRORS, StatesError.TaskFailed], resultPath: '$.outcomeError', next },
    ]),
    Next: outcomeState.is(id),
  };
  const is: ChoiceState = {
    Type: 'Choice',
    Choices: rules(
      '$.outcome.outcome',
      awaited.map((o) => [o, route.get(o) ?? next]),
    ),
    Default: next,
  };
  const timedOut: TaskState = {
    Type: 'Task',
    Resource: ctx.bindings.awaitEventFunctionArn,
    Parameters: { ...taskBase(ctx, id), op: 'outcomeTimedOut', 'messageId.$': '$.send.messageId' },
    ResultPath: null,
    ...retryCatch(RETRY.lambda, [
      { errors: [...PERMANENT_ERRORS, StatesError.TaskFailed], resultPath: '$.cleanupError', next },
    ]),
    Next: next,
  };
  return [
    [outcomeState.await(id), wait],
    [outcomeState.is(id), is],
    [outcomeState.timedOut(id), timedOut],
  ];
}
