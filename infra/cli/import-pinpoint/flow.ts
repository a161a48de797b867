import type { Condition } from '../../../shared/conditions/schema.ts';
import { MAX_HISTORY_WINDOW } from '../../../shared/conditions/schema.ts';
import { durationSeconds } from '../../../shared/time.ts';
import { branchCondition, combine, eventNameOf, eventPropertyConditions } from './conditions.ts';
import { type ActivityContext, noteUnread, type StepInput, target } from './context.ts';
import { durationProblem } from './durations.ts';
import { pathOf } from './notes.ts';
import type { PinpointActivity, PinpointWaitTime } from './schema.ts';
import { isPositiveDuration, isZeroDuration, toTimestamp } from './time.ts';

type Steps = Record<string, StepInput>;

/** A wait step for a Pinpoint `WaitTime`, or undefined (with a problem) when it has neither field. */
function waitStep(
  ctx: ActivityContext,
  time: PinpointWaitTime | undefined,
  next: string,
  at: string,
): StepInput | undefined {
  const waitFor = time?.WaitFor;
  if (isPositiveDuration(waitFor) || (waitFor !== undefined && isZeroDuration(waitFor))) {
    if (time?.WaitUntil !== undefined)
      ctx.log.note(
        pathOf(at, 'WaitUntil'),
        `A wait takes WaitFor or WaitUntil, not both: it waits ${waitFor}; WaitUntil "${time.WaitUntil}" is left out.`,
      );
    return { type: 'wait', for: waitFor, next };
  }
  if (waitFor !== undefined)
    ctx.log.problem(
      pathOf(at, 'WaitFor'),
      durationProblem(waitFor) ?? `"${waitFor}" is negative; a wait lasts zero or more.`,
    );
  if (time?.WaitUntil !== undefined) {
    const until = toTimestamp(time.WaitUntil, ctx.zone);
    if (until !== undefined) return { type: 'wait', until, next };
    ctx.log.problem(pathOf(at, 'WaitUntil'), `"${time.WaitUntil}" is not an ISO 8601 timestamp.`);
  }
  return undefined;
}

/**
 * Says that an activity a Pinpoint draft left unfinished became a step as far
 * as it goes, which does not validate (so cannot deploy) until it is finished:
 * the rest of the journey is kept rather than refused for it.
 */
function unfinished(ctx: ActivityContext, at: string, became: string, give: string): void {
  ctx.log.note(
    at,
    `Not set (an activity not finished in Pinpoint, as a draft can be): it became ${became}, which does not validate until you give it ${give}.`,
  );
}

/** Wait → a wait step: `WaitFor` → `for`, `WaitUntil` → `until`. */
export function waitSteps(
  ctx: ActivityContext,
  id: string,
  activity: NonNullable<PinpointActivity['Wait']>,
  at: string,
): Steps {
  noteUnread(ctx, activity, ['NextActivity', 'WaitTime'], at);
  const next = target(ctx, activity.NextActivity, pathOf(at, 'NextActivity'));
  const step = waitStep(ctx, activity.WaitTime, next, pathOf(at, 'WaitTime'));
  if (
    step === undefined &&
    activity.WaitTime?.WaitFor === undefined &&
    activity.WaitTime?.WaitUntil === undefined
  ) {
    unfinished(ctx, pathOf(at, 'WaitTime'), 'a wait with no time', 'for or until');
    return { [id]: { type: 'wait', next } };
  }
  return step === undefined ? {} : { [id]: step };
}

/** The window event history is counted over: the evaluation wait, capped at the history kept. */
function historyWindow(
  ctx: ActivityContext,
  time: PinpointWaitTime | undefined,
  at: string,
): string | undefined {
  const wait = time?.WaitFor;
  if (!isPositiveDuration(wait)) return undefined;
  if ((durationSeconds(wait) ?? 0) <= (durationSeconds(MAX_HISTORY_WINDOW) ?? 0)) return wait;
  ctx.log.note(
    pathOf(at, 'WaitFor'),
    `Event history is counted over at most ${MAX_HISTORY_WINDOW}, not ${wait}.`,
  );
  return MAX_HISTORY_WINDOW;
}

/** A branch, preceded by a wait step when Pinpoint waited before evaluating. */
function evaluateAfterWait(
  ctx: ActivityContext,
  id: string,
  time: PinpointWaitTime | undefined,
  branch: (checkId: string) => StepInput,
  at: string,
): Steps {
  // No wait, or a wait of zero ("evaluate at once"): the branch alone.
  if (time?.WaitUntil === undefined && (time?.WaitFor === undefined || isZeroDuration(time.WaitFor)))
    return { [id]: branch(id) };
  const checkId = ctx.ids.allocate(`${id}-check`);
  const wait = waitStep(ctx, time, checkId, pathOf(at, 'EvaluationWaitTime'));
  return wait === undefined ? { [id]: branch(id) } : { [id]: wait, [checkId]: branch(checkId) };
}

/**
 * ConditionalSplit → a waitForEvent when it is one event condition with a wait
 * time (the customer moves on as soon as the event arrives), else a branch
 * after the evaluation wait.
 */
export function conditionalSplitSteps(
  ctx: ActivityContext,
  id: string,
  activity: NonNullable<PinpointActivity['ConditionalSplit']>,
  at: string,
): Steps {
  noteUnread(ctx, activity, ['Condition', 'EvaluationWaitTime', 'TrueActivity', 'FalseActivity'], at);
  const onTrue = target(ctx, activity.TrueActivity, pathOf(at, 'TrueActivity'));
  const onFalse = target(ctx, activity.FalseActivity, pathOf(at, 'FalseActivity'));
  const conditions = activity.Condition?.Conditions ?? [];
  const [only] = conditions;
  const timeout = activity.EvaluationWaitTime?.WaitFor;
  const event = only?.EventCondition;
  const plainEvent =
    conditions.length === 1 &&
    event !== undefined &&
    only?.SegmentCondition === undefined &&
    only?.SegmentDimensions === undefined &&
    only?.segmentDimensions === undefined &&
    // One event: a waitForEvent awaits one name (several are checked after the wait, as Pinpoint did).
    (event.Dimensions?.EventType?.Values.length ?? 0) <= 1 &&
    event.Dimensions?.EventType?.DimensionType !== 'EXCLUSIVE';
  if (plainEvent && event.MessageActivity === undefined && isPositiveDuration(timeout)) {
    const dimsAt = pathOf(at, 'Condition', 'Conditions', 0, 'EventCondition', 'Dimensions');
    const name = eventNameOf(event.Dimensions, dimsAt, ctx.log);
    if (name !== undefined) {
      ctx.log.note(
        at,
        `Waits up to ${timeout} for "${name}" and goes on as soon as it arrives (Pinpoint waited the full ${timeout} before checking).`,
      );
      const where = combine(eventPropertyConditions(event.Dimensions, dimsAt, ctx.log));
      return {
        [id]: {
          type: 'waitForEvent',
          event: name,
          ...(where === undefined ? {} : { where }),
          timeout,
          onEvent: onTrue,
          onTimeout: onFalse,
        },
      };
    }
  }
  const window = historyWindow(ctx, activity.EvaluationWaitTime, pathOf(at, 'EvaluationWaitTime'));
  const mapped: Condition[] = conditions.map((c, i) =>
    branchCondition(c, window, pathOf(at, 'Condition', 'Conditions', i), ctx.log, ctx.segments),
  );
  const when = combine(mapped, activity.Condition?.Operator === 'ANY' ? 'any' : 'all');
  if (when === undefined)
    unfinished(ctx, pathOf(at, 'Condition', 'Conditions'), 'a branch on no condition', 'a condition');
  return evaluateAfterWait(
    ctx,
    id,
    activity.EvaluationWaitTime,
    () => ({
      type: 'branch',
      // An empty `any` keeps the path to TrueActivity, and does not validate until a condition is given.
      branches: [{ name: 'yes', when: when ?? { any: [] }, next: onTrue }],
      otherwise: onFalse,
    }),
    at,
  );
}

/** MultiCondition → a branch (after the evaluation wait), first true branch wins, `DefaultActivity` otherwise. */
export function multiConditionSteps(
  ctx: ActivityContext,
  id: string,
  activity: NonNullable<PinpointActivity['MultiCondition']>,
  at: string,
): Steps {
  noteUnread(ctx, activity, ['Branches', 'DefaultActivity', 'EvaluationWaitTime'], at);
  const window = historyWindow(ctx, activity.EvaluationWaitTime, pathOf(at, 'EvaluationWaitTime'));
  const branches = (activity.Branches ?? []).map((branch, i) => ({
    name: `branch-${i + 1}`,
    when: branchCondition(
      branch.Condition,
      window,
      pathOf(at, 'Branches', i, 'Condition'),
      ctx.log,
      ctx.segments,
    ),
    next: target(ctx, branch.NextActivity, pathOf(at, 'Branches', i, 'NextActivity')),
  }));
  if (branches.length === 0)
    unfinished(ctx, pathOf(at, 'Branches'), 'a branch with only its default path', 'its branches');
  const otherwise = target(ctx, activity.DefaultActivity, pathOf(at, 'DefaultActivity'));
  return evaluateAfterWait(
    ctx,
    id,
    activity.EvaluationWaitTime,
    () => ({ type: 'branch', branches, otherwise }),
    at,
  );
}

/** True for a share a split's weight can be: a whole percent from 0 to 100. */
function isWeight(percentage: number | undefined): percentage is number {
  return percentage !== undefined && Number.isInteger(percentage) && percentage >= 0 && percentage <= 100;
}

/**
 * Says why a `Percentage` cannot be a weight (a draft without one, or a value
 * such as 150 or 12.5): the step keeps it as given and does not validate until
 * it is set. Undefined when it is a weight.
 */
function percentageProblem(
  ctx: ActivityContext,
  percentage: number | undefined,
  id: string,
  at: string,
  unweighted = `a variant of step "${id}" with no weight`,
): 'missing' | 'invalid' | undefined {
  if (isWeight(percentage)) return undefined;
  if (percentage === undefined) {
    unfinished(ctx, at, unweighted, 'whole percents from 0 to 100');
    return 'missing';
  }
  ctx.log.note(
    at,
    `${percentage} is not a whole percent from 0 to 100: step "${id}" keeps it as given (a weight), and does not validate until it is one.`,
  );
  return 'invalid';
}

/** RandomSplit → a split; `Percentage` → weight (made to add up to 100, with a note when it did not). */
export function randomSplitSteps(
  ctx: ActivityContext,
  id: string,
  activity: NonNullable<PinpointActivity['RandomSplit']>,
  at: string,
): Steps {
  noteUnread(ctx, activity, ['Branches'], at);
  if (activity.Branches === undefined || activity.Branches.length === 0) {
    unfinished(ctx, pathOf(at, 'Branches'), 'a split with no path', 'its variants');
    return { [id]: { type: 'split', variants: [] } };
  }
  const variants = activity.Branches.map((branch, i) => ({
    name: `path-${i + 1}`,
    ...(branch.Percentage === undefined ? {} : { weight: branch.Percentage }),
    next: target(ctx, branch.NextActivity, pathOf(at, 'Branches', i, 'NextActivity')),
  }));
  const problems = activity.Branches.map((branch, i) =>
    percentageProblem(ctx, branch.Percentage, id, pathOf(at, 'Branches', i, 'Percentage')),
  );
  if (variants.length === 1) {
    ctx.log.note(
      pathOf(at, 'Branches'),
      'A random split with one path: a second path of weight 0 to the exit was added.',
    );
    variants.push({ name: 'path-2', weight: 0, next: ctx.exitId });
  }
  // A weight not given or not a weight: none is adjusted, which would guess what the others were meant to be.
  if (problems.some((p) => p !== undefined)) return { [id]: { type: 'split', variants } };
  const weights = variants.map((v) => v.weight ?? 0);
  const total = weights.reduce((sum, w) => sum + w, 0);
  const last = variants[variants.length - 1];
  const lastWeight = last?.weight ?? 0;
  if (total !== 100 && last !== undefined && lastWeight + 100 - total >= 0) {
    ctx.log.note(
      pathOf(at, 'Branches'),
      `The percentages add up to ${total}; the last path's weight was adjusted so they add up to 100.`,
    );
    last.weight = lastWeight + 100 - total;
  } else if (total !== 100) {
    // Which path would lose customers is the user's call: kept as given, the journey does not validate.
    ctx.log.note(
      pathOf(at, 'Branches'),
      `The percentages add up to ${total}, more than 100: step "${id}" keeps them as given, and does not validate until they add up to 100.`,
    );
  }
  return { [id]: { type: 'split', variants } };
}

/**
 * Holdout → a split whose holdout variant leaves the journey, the rest going
 * on. A `Percentage` that is no weight is the holdout's as given, and the
 * rest's weight is left for the user to set with it.
 */
export function holdoutSteps(
  ctx: ActivityContext,
  id: string,
  activity: NonNullable<PinpointActivity['Holdout']>,
  at: string,
): Steps {
  noteUnread(ctx, activity, ['NextActivity', 'Percentage'], at);
  const next = target(ctx, activity.NextActivity, pathOf(at, 'NextActivity'));
  const percentage = activity.Percentage;
  const unweighted = `the holdout and continue variants of step "${id}" with no weight`;
  percentageProblem(ctx, percentage, id, pathOf(at, 'Percentage'), unweighted);
  return {
    [id]: {
      type: 'split',
      variants: [
        {
          name: 'holdout',
          ...(percentage === undefined ? {} : { weight: percentage }),
          next: ctx.exitId,
          holdout: true,
        },
        { name: 'continue', ...(isWeight(percentage) ? { weight: 100 - percentage } : {}), next },
      ],
    },
  };
}
