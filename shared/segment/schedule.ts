import { fnv1a32 } from '../hash.ts';
import type { Trigger } from '../journey/schema.ts';

/**
 * The EventBridge Scheduler schedule of a segment-triggered journey, decided
 * from the deployed journey alone: deploy-journey carries the decision out.
 */

/** Scheduler names allow 64 characters; journey ids allow 63, so long ids are shortened with a hash. */
const MAX_NAME = 64;
const PREFIX = 'journey-';

/** The schedule name of a journey: `journey-<id>`, shortened deterministically when too long. */
export function scheduleName(journeyId: string): string {
  const name = `${PREFIX}${journeyId}`;
  if (name.length <= MAX_NAME) return name;
  const hash = fnv1a32(journeyId).toString(16).padStart(8, '0');
  return `${PREFIX}${journeyId.slice(0, MAX_NAME - PREFIX.length - hash.length - 1)}-${hash}`;
}

/** The target input: Scheduler replaces the placeholder with the occurrence's time (the run id). */
function scheduleInput(journeyId: string): string {
  return JSON.stringify({ journeyId, scheduledTime: '<aws.scheduler.scheduled-time>' });
}

export type ScheduleAction =
  | { kind: 'none' }
  | { kind: 'delete'; name: string }
  | {
      kind: 'upsert';
      name: string;
      expression: string;
      /** cron() expressions run in the journey's default time zone; rate() ignores it. */
      timezone?: string;
      enabled: boolean;
      input: string;
    };

type Deployed = {
  journeyId: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  trigger: Trigger;
  settings: { defaultTimezone: string };
};

/**
 * What the schedule of a journey should become after a deploy or an archive.
 * Active segment journeys are scheduled; draft and paused ones keep a disabled
 * schedule; archived ones, and journeys no longer segment-triggered, lose it.
 * A journey that never had a segment trigger is left alone.
 */
export function scheduleAction(journey: Deployed, previous?: Pick<Deployed, 'trigger'>): ScheduleAction {
  const name = scheduleName(journey.journeyId);
  const { trigger } = journey;
  if (trigger.type !== 'segment' || journey.status === 'archived') {
    const hadSchedule = trigger.type === 'segment' || previous?.trigger.type === 'segment';
    return hadSchedule ? { kind: 'delete', name } : { kind: 'none' };
  }
  return {
    kind: 'upsert',
    name,
    expression: trigger.schedule,
    ...(trigger.schedule.startsWith('cron(') ? { timezone: journey.settings.defaultTimezone } : {}),
    enabled: journey.status === 'active',
    input: scheduleInput(journey.journeyId),
  };
}
