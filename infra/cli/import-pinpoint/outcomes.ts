import type { MessageOutcome, OnOutcome } from '../../../shared/journey/outcome.ts';
import type { ActivityContext } from './context.ts';
import type { PinpointActivity } from './schema.ts';
import { isPositiveDuration } from './time.ts';

/**
 * The events Pinpoint recorded about its own messages, as a yes/no split names
 * them, and the outcome the message step reports here. Only outcomes the
 * channel reports back are listed (a soft bounce, a complaint or an opt-out is not).
 */
const MESSAGE_EVENTS: ReadonlyMap<string, { channel: 'EMAIL' | 'SMS'; outcome: MessageOutcome }> = new Map([
  ['_email.send', { channel: 'EMAIL', outcome: 'sent' }],
  ['_email.delivered', { channel: 'EMAIL', outcome: 'delivered' }],
  ['_email.open', { channel: 'EMAIL', outcome: 'opened' }],
  ['_email.click', { channel: 'EMAIL', outcome: 'clicked' }],
  ['_email.hardbounce', { channel: 'EMAIL', outcome: 'bounced' }],
  ['_SMS.SUCCESS', { channel: 'SMS', outcome: 'delivered' }],
  ['_SMS.FAILURE', { channel: 'SMS', outcome: 'failed' }],
]);

/** A split on what one message did, folded into that message step as `onOutcome`. */
export type OutcomeSplit = {
  /** The Pinpoint message activity whose step branches. */
  message: string;
  /** The kind of split it was. */
  kind: 'ConditionalSplit' | 'MultiCondition';
  onOutcome: OnOutcome;
  /** Where the message step goes when no listed outcome comes within the window (FalseActivity / DefaultActivity). */
  next: string;
  outcomes: MessageOutcome[];
  within: string;
};

/**
 * A split that asks only what the message just before it did ("was the email
 * opened within a day?": message events of one `MessageActivity`, which leads
 * straight to the split and is its only way in) as that message step's
 * `onOutcome`: a yes/no split's condition is one branch, a multivariate
 * split's branches are its branches in order. Counted as events by name, these
 * never happen here — delivery feedback is correlated to the message, not
 * recorded as customer events — so every customer would take the "no" path.
 * Undefined for any other split, which is then mapped as a branch.
 */
export function outcomeSplit(ctx: ActivityContext, splitId: string | undefined): OutcomeSplit | undefined {
  if (splitId === undefined || !Object.hasOwn(ctx.activities, splitId)) return undefined;
  const activity = ctx.activities[splitId];
  const split = activity?.ConditionalSplit;
  const multi = activity?.MultiCondition;
  const asked =
    split !== undefined
      ? [
          {
            events: messageEvents(split.Condition?.Conditions ?? [], split.Condition?.Operator),
            next: split.TrueActivity,
          },
        ]
      : (multi?.Branches ?? []).map((branch) => ({
          events: branch.Condition === undefined ? undefined : messageEvents([branch.Condition], undefined),
          next: branch.NextActivity,
        }));
  const within = (split ?? multi)?.EvaluationWaitTime?.WaitFor;
  const [first] = asked;
  if (first?.events === undefined || !isPositiveDuration(within)) return undefined;
  const { activity: messageId, channel } = first.events;
  if (asked.some((a) => a.events?.activity !== messageId || a.events.channel !== channel)) return undefined;
  if (!Object.hasOwn(ctx.activities, messageId)) return undefined;
  const message = ctx.activities[messageId];
  if (message?.[channel]?.NextActivity !== splitId || referrers(ctx, splitId) !== 1) return undefined;
  const onFalse = stepOrExit(ctx, split !== undefined ? split.FalseActivity : multi?.DefaultActivity);
  if (onFalse === undefined) return undefined;
  const branches: OnOutcome['branches'] = [];
  const outcomes: MessageOutcome[] = [];
  for (const { events, next } of asked) {
    const to = stepOrExit(ctx, next);
    const [only] = events?.outcomes ?? [];
    if (to === undefined || events === undefined || only === undefined) return undefined;
    branches.push({ outcome: events.outcomes.length === 1 ? only : events.outcomes, next: to });
    for (const o of events.outcomes) if (!outcomes.includes(o)) outcomes.push(o);
  }
  return {
    message: messageId,
    kind: split !== undefined ? 'ConditionalSplit' : 'MultiCondition',
    onOutcome: { within, branches },
    next: onFalse,
    outcomes,
    within,
  };
}

type SimpleCondition = NonNullable<
  NonNullable<NonNullable<PinpointActivity['ConditionalSplit']>['Condition']>['Conditions']
>[number];

/** The message activity, channel and outcomes of conditions that are all message events of one message. */
function messageEvents(
  conditions: readonly SimpleCondition[],
  operator: 'ALL' | 'ANY' | undefined,
): { activity: string; channel: 'EMAIL' | 'SMS'; outcomes: MessageOutcome[] } | undefined {
  // Several conditions must all hold (ALL) of one message: opened and clicked is no single outcome.
  if (conditions.length === 0 || (conditions.length > 1 && operator !== 'ANY')) return undefined;
  const activities = new Set<string>();
  const channels = new Set<'EMAIL' | 'SMS'>();
  const outcomes: MessageOutcome[] = [];
  for (const condition of conditions) {
    const { EventCondition: event, ...others } = condition;
    const dims = event?.Dimensions;
    const { EventType: type, ...filters } = dims ?? {};
    if (Object.keys(others).length > 0 || Object.keys(filters).length > 0) return undefined;
    if (event?.MessageActivity === undefined || type === undefined || type.DimensionType === 'EXCLUSIVE')
      return undefined;
    activities.add(event.MessageActivity);
    for (const name of type.Values) {
      const mapped = MESSAGE_EVENTS.get(name);
      if (mapped === undefined) return undefined;
      channels.add(mapped.channel);
      if (!outcomes.includes(mapped.outcome)) outcomes.push(mapped.outcome);
    }
  }
  const [activity] = activities;
  const [channel] = channels;
  if (activities.size !== 1 || channels.size !== 1 || activity === undefined || channel === undefined)
    return undefined;
  return { activity, channel, outcomes };
}

/** The step of an activity reference (the exit when there is none); undefined when it names no activity. */
function stepOrExit(ctx: ActivityContext, activityId: string | undefined): string | undefined {
  if (activityId === undefined || activityId === '') return ctx.exitId;
  return ctx.stepOf.get(activityId);
}

/** How many ways lead into an activity: references from other activities, and the start. */
function referrers(ctx: ActivityContext, activityId: string): number {
  let count = ctx.startActivity === activityId ? 1 : 0;
  for (const activity of Object.values(ctx.activities)) {
    for (const next of nextActivities(activity)) if (next === activityId) count++;
  }
  return count;
}

function nextActivities(activity: PinpointActivity): (string | undefined)[] {
  const { EMAIL, SMS, PUSH, CUSTOM, Wait, ConditionalSplit, MultiCondition, RandomSplit, Holdout } = activity;
  return [
    EMAIL?.NextActivity,
    SMS?.NextActivity,
    PUSH?.NextActivity,
    CUSTOM?.NextActivity,
    Wait?.NextActivity,
    ConditionalSplit?.TrueActivity,
    ConditionalSplit?.FalseActivity,
    ...(MultiCondition?.Branches ?? []).map((b) => b.NextActivity),
    MultiCondition?.DefaultActivity,
    ...(RandomSplit?.Branches ?? []).map((b) => b.NextActivity),
    Holdout?.NextActivity,
    activity.ContactCenter?.NextActivity,
  ];
}
