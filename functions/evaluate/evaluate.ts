import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import { readPath } from '#shared/conditions/path.ts';
import { zoneOf } from '#shared/delivery/policy.ts';
import { InvalidInputError } from '#shared/errors.ts';
import type { EvaluateInput } from '#shared/tasks.ts';
import { addDuration, nextWindowTime } from '#shared/time.ts';

export type EvaluateDeps = { profiles: ProfilesRepository; now: () => Date };
export type EvaluateOutput = { match: number } | { at: string };

function dateAt(value: unknown, path: string): Date {
  const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new InvalidInputError(`${path} is not a date on this profile`);
  }
  return date;
}

/** Branch decisions and wait deadlines on the fresh profile. */
export async function evaluate(deps: EvaluateDeps, input: EvaluateInput): Promise<EvaluateOutput> {
  const now = deps.now();
  const { profile } = await deps.profiles.get(input.userId);
  if (input.op === 'branch') {
    const ctx = { profile, event: input.event, trigger: input.trigger, now };
    return { match: input.conditions.findIndex((condition) => evaluateCondition(condition, ctx)) };
  }
  const zone = zoneOf(profile, input.defaultTimezone);
  let at = now;
  if (input.until !== undefined) at = new Date(input.until);
  else if (input.untilDate !== undefined) {
    const { path, offset } = input.untilDate;
    const base = dateAt(readPath({ profile, trigger: input.trigger }, path), path);
    at = offset === undefined ? base : addDuration(base, offset, zone);
  } else if (input.for !== undefined) at = addDuration(now, input.for, zone);
  // A deadline in the past means "now": Step Functions' Wait then continues at once.
  const notBeforeNow = new Date(Math.max(at.getTime(), now.getTime()));
  const end = input.window === undefined ? notBeforeNow : nextWindowTime(notBeforeNow, zone, input.window);
  return { at: end.toISOString() };
}
