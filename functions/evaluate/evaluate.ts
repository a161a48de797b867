import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { StatsRepository } from '#functions/_lib/stats.ts';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import { readPath } from '#shared/conditions/path.ts';
import { zoneOf } from '#shared/delivery/policy.ts';
import { failureMetric, JourneyError, ProfileValueError } from '#shared/errors.ts';
import { contextAfter } from '#shared/journey/context-set.ts';
import type { ContextLiteral } from '#shared/journey/journey-context.ts';
import type { EvaluateInput, ProfileUpdateInput } from '#shared/tasks/evaluate.ts';
import {
  addDuration,
  customerInstant,
  DATE_FORMS,
  MAX_EXECUTION_SECONDS,
  nextWindowTime,
  waitSeconds,
} from '#shared/time.ts';
import { namedDynamoError } from './dynamo-errors.ts';
import type { ProfileTraits } from './profile-traits.ts';

export type EvaluateDeps = {
  profiles: ProfilesRepository;
  traits: Pick<ProfileTraits, 'apply'>;
  stats: Pick<StatsRepository, 'increment'>;
  now: () => Date;
};
export type EvaluateOutput =
  | { match: number }
  | { at: string }
  | { updated: true }
  | { counted: true }
  | Record<string, ContextLiteral>;

type WaitUntil = Extract<EvaluateInput, { op: 'waitUntil' }>;

/**
 * The instant a wait reads from the profile or the trigger, as the template
 * `date` filters read it ({@link customerInstant}): a time without an offset
 * and a calendar day alone are the customer's local time, never the
 * machine's zone, nor the other formats `Date` guesses at.
 */
function dateAt(value: unknown, path: string, zone: string): Date {
  const instant = customerInstant(value, zone);
  if (instant !== undefined) return instant;
  // A missing value and a value in another form need different fixes: say which it is.
  if (value === undefined || value === null) {
    const where = path.startsWith('trigger.') ? 'in the trigger event' : 'on this profile';
    throw new ProfileValueError(`${path} has no value ${where}: the wait needs ${DATE_FORMS} there`);
  }
  throw new ProfileValueError(
    `${path} holds ${shownValue(value)}, which is not a date: write it as ${DATE_FORMS}`,
  );
}

/** A value as a reason may show it: JSON, cut short, since it is the customer's and may be long. */
function shownValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

async function waitUntil(deps: EvaluateDeps, input: WaitUntil): Promise<{ at: string }> {
  const now = deps.now();
  const { profile } = await deps.profiles.get(input.userId);
  const zone = zoneOf(profile, input.defaultTimezone);
  let at = now;
  if (input.until !== undefined) at = new Date(input.until);
  else if (input.untilDate !== undefined) {
    const { path, offset } = input.untilDate;
    const base = dateAt(readPath({ profile, trigger: input.trigger }, path), path, zone);
    at = offset === undefined ? base : addDuration(base, offset, zone);
  } else if (input.for !== undefined) {
    // Elapsed time, as the same wait without a window: 24 hours across a DST change, not the same local time.
    at = new Date(now.getTime() + waitSeconds(input.for) * 1000);
  }
  // A deadline in the past means "now": Step Functions' Wait then continues at once.
  const notBeforeNow = new Date(Math.max(at.getTime(), now.getTime()));
  const end = input.window === undefined ? notBeforeNow : nextWindowTime(notBeforeNow, zone, input.window);
  // An execution lasts a year at most: a later end would leave it waiting until it times out, unseen.
  if (end.getTime() - now.getTime() > MAX_EXECUTION_SECONDS * 1000) {
    const from = input.untilDate === undefined ? 'the wait' : input.untilDate.path;
    throw new ProfileValueError(
      `${from} ends at ${end.toISOString()}, more than a year from now: an execution lasts at most a year, so the step could never end`,
    );
  }
  return { at: end.toISOString() };
}

async function updateProfile(deps: EvaluateDeps, input: ProfileUpdateInput): Promise<{ updated: true }> {
  const { notNumbers, rejected } = await deps.traits.apply(
    input.userId,
    `${input.enrollmentId}#${input.stepId}#${input.visit}`,
    input,
  );
  const problems = [
    ...notNumbers.map((n) => `not incremented, not a number: profile.traits.${n.trait} holds ${n.holds}`),
    ...rejected.map((r) => `not written: profile.traits.${r.trait}: ${r.reason}`),
  ];
  if (problems.length > 0) {
    throw new ProfileValueError(`${problems.join('; ')} (the rest of the step was applied)`);
  }
  return { updated: true };
}

async function run(deps: EvaluateDeps, input: EvaluateInput): Promise<EvaluateOutput> {
  switch (input.op) {
    case 'branch': {
      const { profile } = await deps.profiles.get(input.userId);
      const ctx = {
        profile,
        event: input.event,
        trigger: input.trigger,
        context: input.context,
        now: deps.now(),
        defaultTimezone: input.defaultTimezone,
      };
      return { match: input.conditions.findIndex((condition) => evaluateCondition(condition, ctx)) };
    }
    case 'waitUntil':
      return waitUntil(deps, input);
    case 'updateProfile':
      return updateProfile(deps, input);
    case 'stepFailed':
      await deps.stats.increment({
        journeyId: input.journeyId,
        version: input.journeyVersion,
        stepId: input.stepId,
        metric: failureMetric(input.error),
      });
      return { counted: true };
    case 'setContext':
      return contextAfter(input.context, input.set, input.rule);
  }
}

/**
 * Branch decisions, wait deadlines and profile updates on the fresh profile,
 * and context values checked against their declared length.
 * DynamoDB throttling and outages go back as the named errors the compiled
 * Retry matches. A failure on data (a named, non-retryable error) is counted
 * per step and kind before it goes back to the state machine, whose Catch
 * applies the journey's failure policy.
 */
export async function evaluate(deps: EvaluateDeps, input: EvaluateInput): Promise<EvaluateOutput> {
  try {
    return await run(deps, input);
  } catch (thrown) {
    const error = namedDynamoError(thrown);
    if (error instanceof JourneyError && !error.retryable) {
      await deps.stats.increment({
        journeyId: input.journeyId,
        version: input.journeyVersion,
        stepId: input.stepId,
        metric: failureMetric(error.name),
      });
    }
    throw error;
  }
}
