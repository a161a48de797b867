import { type ActivityContext, noteUnread, type StepInput } from './context.ts';
import {
  conditionalSplitSteps,
  holdoutSteps,
  multiConditionSteps,
  randomSplitSteps,
  waitSteps,
} from './flow.ts';
import { customStep, emailStep, pushStep, smsStep } from './messages.ts';
import { pathOf } from './notes.ts';
import { outcomeSplit } from './outcomes.ts';
import { ACTIVITY_TYPES, type PinpointActivity, type PinpointActivityType } from './schema.ts';

/** The one activity type key an activity carries, or undefined (with a problem) when it has none or several. */
function activityType(
  ctx: Pick<ActivityContext, 'log'>,
  activity: PinpointActivity,
  at: string,
): PinpointActivityType | undefined {
  const types = ACTIVITY_TYPES.filter((type) => activity[type] !== undefined);
  if (types.length === 1) return types[0];
  // Named by what it has: a type Pinpoint added later, or one misspelt, reads as such.
  const unknown = Object.keys(activity).filter((key) => key !== 'Description');
  ctx.log.problem(
    at,
    types.length > 1
      ? `The activity has several types (${types.join(', ')}); it must have exactly one.`
      : unknown.length > 0
        ? `${unknown.join(', ')} ${unknown.length === 1 ? 'is not an activity type' : 'are not activity types'} the import knows (${ACTIVITY_TYPES.join(', ')}): it has no step to become. Replace the activity in the export with one of those, or point the activities before it past it.`
        : `The activity has none of ${ACTIVITY_TYPES.join(', ')}.`,
  );
  return undefined;
}

/** Maps one Pinpoint activity to its step (and any helper step, such as the wait before a split). */
export function mapActivity(
  ctx: ActivityContext,
  activityId: string,
  stepId: string,
  activity: PinpointActivity,
): Record<string, StepInput> {
  const at = pathOf('Activities', activityId);
  const type = activityType(ctx, activity, at);
  if (type === undefined) return {};
  noteUnread(ctx, activity, ['Description', type], at);
  const steps = mapTyped(ctx, activityId, stepId, activity, type, pathOf(at, type));
  if (type === 'EMAIL' || type === 'SMS') withOutcomeSplit(ctx, activityId, stepId, activity[type], steps);
  const primary = Object.hasOwn(steps, stepId) ? steps[stepId] : undefined;
  if (primary !== undefined && activity.Description !== undefined && activity.Description !== '')
    steps[stepId] = { ...primary, label: activity.Description };
  return steps;
}

function mapTyped(
  ctx: ActivityContext,
  activityId: string,
  id: string,
  activity: PinpointActivity,
  type: PinpointActivityType,
  at: string,
): Record<string, StepInput> {
  const { EMAIL, SMS, PUSH, CUSTOM, Wait, ConditionalSplit, MultiCondition, RandomSplit, Holdout } = activity;
  switch (type) {
    case 'EMAIL':
      return EMAIL === undefined ? {} : { [id]: emailStep(ctx, id, EMAIL, at) };
    case 'SMS':
      return SMS === undefined ? {} : { [id]: smsStep(ctx, id, SMS, at) };
    case 'PUSH':
      return PUSH === undefined ? {} : { [id]: pushStep(ctx, id, PUSH, at) };
    case 'CUSTOM':
      return CUSTOM === undefined ? {} : { [id]: customStep(ctx, activityId, CUSTOM, at) };
    case 'Wait':
      return Wait === undefined ? {} : waitSteps(ctx, id, Wait, at);
    case 'ConditionalSplit':
      // A split on what the message before it did is that message step's onOutcome.
      if (ConditionalSplit === undefined || outcomeSplit(ctx, activityId) !== undefined) return {};
      return conditionalSplitSteps(ctx, id, ConditionalSplit, at);
    case 'MultiCondition':
      if (MultiCondition === undefined || outcomeSplit(ctx, activityId) !== undefined) return {};
      return multiConditionSteps(ctx, id, MultiCondition, at);
    case 'RandomSplit':
      return RandomSplit === undefined ? {} : randomSplitSteps(ctx, id, RandomSplit, at);
    case 'Holdout':
      return Holdout === undefined ? {} : holdoutSteps(ctx, id, Holdout, at);
    case 'ContactCenter':
      // A call takes no step: customers go on past it (see passThroughs in import.ts).
      return {};
  }
}

/** A message followed by a yes/no split on what it did: the split becomes the step's `onOutcome`. */
function withOutcomeSplit(
  ctx: ActivityContext,
  activityId: string,
  stepId: string,
  message: { NextActivity?: string } | undefined,
  steps: Record<string, StepInput>,
): void {
  const step = Object.hasOwn(steps, stepId) ? steps[stepId] : undefined;
  const split = outcomeSplit(ctx, message?.NextActivity);
  if (step === undefined || split === undefined || split.message !== activityId) return;
  if (step.type !== 'email' && step.type !== 'sms') return;
  steps[stepId] = { ...step, onOutcome: split.onOutcome, next: split.next };
  const splitId = message?.NextActivity ?? '';
  const what = split.outcomes.join(' or ');
  const order =
    split.onOutcome.branches.length > 1
      ? ' The first of the listed outcomes to arrive takes its branch, where Pinpoint took the first branch in order whose event happened within the wait.'
      : '';
  ctx.log.note(
    pathOf('Activities', splitId, split.kind),
    `Became onOutcome of step "${stepId}": the customer goes on as soon as the message reports ${what} (Pinpoint waited the full ${split.within} before checking), else after ${split.within}.${order}`,
  );
}
