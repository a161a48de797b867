import { Cron } from 'croner';

/**
 * EventBridge Scheduler's recurring expressions, evaluated locally:
 * `rate(value unit)` runs at the schedule's start and every period after it;
 * `cron(minutes hours day-of-month month day-of-week year)` runs in the
 * schedule's time zone, with Scheduler's day-of-week numbers (1 = Sunday) and
 * its special days: `L` (the month's last day, or alone in day-of-week the
 * week's, Saturday), `15W` (the weekday nearest the 15th), `LW`, `6L` (the
 * month's last Friday), `2#1` (its first Monday). croner evaluates them in
 * its Quartz mode (cron-parser, the other well-kept choice, has no `W`).
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

/**
 * The first occurrence at or after `from`, or undefined when there is none
 * (a cron whose years are past). `start` anchors a rate: the schedule's
 * creation, when Scheduler invokes it first.
 */
export function nextOccurrence(
  expression: string,
  from: Date,
  start: Date,
  timezone = 'UTC',
): Date | undefined {
  const rate = RATE.exec(expression);
  if (rate !== null) {
    const period = Number(rate[1]) * (UNIT_MS[(rate[2] ?? '').replace(/s$/, '')] ?? Number.NaN);
    if (!(period > 0)) throw new ScheduleExpressionError(`${expression}: the rate must be positive`);
    const periods = Math.max(0, Math.ceil((from.getTime() - start.getTime()) / period));
    return new Date(start.getTime() + periods * period);
  }
  const cron = CRON.exec(expression);
  if (cron === null) throw new ScheduleExpressionError(`${expression} is neither rate(...) nor cron(...)`);
  return nextCron(cron[1] ?? '', from, timezone);
}

function nextCron(fields: string, from: Date, timezone: string): Date | undefined {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6)
    throw new ScheduleExpressionError(`cron(${fields}) needs 6 fields: minutes hours day month weekday year`);
  // croner reads `?` as "the time this pattern is made"; Scheduler's `?` means any. A lone `L` in
  // day-of-week is the week's last day (Saturday), which croner spells 7.
  const [minutes, hours, day, month, weekday, year] = parts.map((f) => (f === '?' ? '*' : f));
  const pattern = ['0', minutes, hours, day, month, weekday?.toUpperCase() === 'L' ? '7' : weekday, year];
  let cron: Cron;
  try {
    cron = new Cron(pattern.join(' '), {
      timezone,
      mode: '7-part',
      alternativeWeekdays: true, // 1 = Sunday, as Scheduler numbers them
      sloppyRanges: true, // `0/15`: from 0, every 15
    });
  } catch (error) {
    throw new ScheduleExpressionError(`cron(${fields}): ${(error as Error).message}`);
  }
  // nextRun is strictly after the date it is given.
  return cron.nextRun(new Date(from.getTime() - 1)) ?? undefined;
}
