import { scheduleNeverRuns } from '../schedule-expression.ts';
import { type Violation, violation } from '../violations.ts';
import type { CheckContext } from './context.ts';

/**
 * A segment schedule Scheduler takes but that never runs (31 February): a
 * warning, as Scheduler creates the schedule all the same; no customer would
 * ever be enrolled.
 */
export function scheduleWarnings({ trigger }: CheckContext): Violation[] {
  if (trigger?.type !== 'segment') return [];
  const never = scheduleNeverRuns(trigger.schedule);
  if (never === undefined) return [];
  return [
    violation(
      ['trigger', 'schedule'],
      'schedule.never-runs',
      `${never}: the schedule is created, but no customer is ever enrolled. Choose days that exist in its months.`,
    ),
  ];
}
