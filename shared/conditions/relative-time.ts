import { plusDuration } from '../time/calendar.ts';
import { negateDuration, parseIsoDuration } from '../time/duration.ts';
import { zoneOf } from '../time/zone.ts';
import { customerInstant } from '../time.ts';

/**
 * Relative-date operators (`within`, `olderThan`, `withinNext`) and the
 * instants they compare.
 */

/**
 * The instant a data value denotes, by the one rule for dates in customer
 * data ({@link customerInstant}): an ISO 8601 date-time with an offset is that
 * instant, one without an offset (or a day alone) is that wall-clock time in
 * the customer's `zone`, a number is epoch milliseconds. Anything else is
 * `undefined`.
 */
export function instantOf(value: unknown, zone: string): number | undefined {
  return customerInstant(value, zone)?.getTime();
}

/**
 * `now` moved by an ISO 8601 duration (`direction` -1: into the past), in
 * calendar arithmetic in `zone` (default UTC): P1M from 31 January is the end
 * of February, P1D the same local time the day before also across a DST
 * change. A leading `-` on the duration reverses the direction. `undefined`
 * when the duration or `now` is not valid.
 */
export function shiftedInstant(
  now: Date,
  isoDuration: string,
  direction: 1 | -1,
  zone = 'UTC',
): number | undefined {
  const duration = parseIsoDuration(isoDuration);
  const start = now.getTime();
  if (duration === undefined || Number.isNaN(start)) return undefined;
  return plusDuration(start, direction > 0 ? duration : negateDuration(duration), zoneOf(zone));
}

export type RelativeOperator = 'within' | 'olderThan' | 'withinNext';

/**
 * - `within D`: the instant lies in [now − D, now] (the last D, not the future);
 * - `olderThan D`: the instant lies before now − D;
 * - `withinNext D`: the instant lies in [now, now + D].
 * The value is read in the customer's `zone` ({@link instantOf}) and D counts
 * on their calendar, as an `untilDate` offset does. False when the value is
 * not an instant.
 */
export function compareRelative(
  op: RelativeOperator,
  value: unknown,
  isoDuration: string,
  now: Date,
  zone: string,
): boolean {
  const instant = instantOf(value, zone);
  const current = now.getTime();
  if (instant === undefined || Number.isNaN(current)) return false;
  switch (op) {
    case 'within': {
      const from = shiftedInstant(now, isoDuration, -1, zone);
      return from !== undefined && from <= instant && instant <= current;
    }
    case 'olderThan': {
      const before = shiftedInstant(now, isoDuration, -1, zone);
      return before !== undefined && instant < before;
    }
    case 'withinNext': {
      const until = shiftedInstant(now, isoDuration, 1, zone);
      return until !== undefined && current <= instant && instant <= until;
    }
  }
}
