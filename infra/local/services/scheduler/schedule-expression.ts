import { CronExpressionParser } from 'cron-parser';

/**
 * EventBridge Scheduler's recurring expressions, evaluated locally:
 * `rate(value unit)` runs at the schedule's start and every period after it;
 * `cron(minutes hours day-of-month month day-of-week year)` runs in the
 * schedule's time zone, with Scheduler's day-of-week numbers (1 = Sunday).
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Occurrences looked at before a cron whose year field never matches is given up. */
const MAX_CRON_STEPS = 1000;

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
  const [minutes, hours, day, month, weekday, year] = parts;
  const expression = [minutes, hours, day, month, weekdayField(weekday ?? '*')]
    .map((f) => (f === '?' ? '*' : f))
    .join(' ');
  // cron-parser's next() is strictly after its current date.
  const dates = CronExpressionParser.parse(expression, {
    currentDate: new Date(from.getTime() - 1),
    tz: timezone,
  });
  const years = year ?? '*';
  const last = lastYear(years);
  for (let step = 0; step < MAX_CRON_STEPS && dates.hasNext(); step++) {
    const next = dates.next().toDate();
    if (yearMatches(years, next, timezone)) return next;
    if (next.getUTCFullYear() > last + 1) return undefined;
  }
  return undefined;
}

function lastYear(field: string): number {
  if (field === '*' || field === '?') return Number.POSITIVE_INFINITY;
  return Math.max(...field.split(/[,-]/).map(Number));
}

/** Scheduler numbers weekdays 1–7 from Sunday, cron-parser 0–6: shift every number but a `#` ordinal. */
function weekdayField(field: string): string {
  return field.replace(/(^|[^#\d])(\d+)/g, (_, before: string, n: string) => `${before}${Number(n) - 1}`);
}

function yearMatches(field: string, date: Date, timezone: string): boolean {
  if (field === '*' || field === '?') return true;
  const year = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: timezone }).format(date));
  return field.split(',').some((part) => {
    const [low, high] = part.split('-').map(Number);
    return low !== undefined && year >= low && year <= (high ?? low);
  });
}
