import { plusDuration } from '../time/calendar.ts';
import { negateDuration, parseIsoDuration } from '../time/duration.ts';
import { parseIsoInstant } from '../time/iso-instant.ts';
import { UTC } from '../time/zone.ts';

/**
 * Relative-date operators (`within`, `olderThan`, `withinNext`) and the
 * instants they compare.
 */

/**
 * The instant a data value denotes: an ISO 8601 timestamp (a missing offset
 * means UTC) or a number of epoch milliseconds. Anything else is `undefined`.
 */
export function instantOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  return parseIsoInstant(value);
}

/**
 * `now` moved by an ISO 8601 duration (`direction` -1: into the past), in
 * calendar arithmetic on UTC: P1M from 31 January is the end of February.
 * A leading `-` on the duration reverses the direction. `undefined` when the
 * duration or `now` is not valid.
 */
export function shiftedInstant(now: Date, isoDuration: string, direction: 1 | -1): number | undefined {
  const duration = parseIsoDuration(isoDuration);
  const start = now.getTime();
  if (duration === undefined || Number.isNaN(start)) return undefined;
  return plusDuration(start, direction > 0 ? duration : negateDuration(duration), UTC);
}

export type RelativeOperator = 'within' | 'olderThan' | 'withinNext';

/**
 * - `within D`: the instant lies in [now − D, now] (the last D, not the future);
 * - `olderThan D`: the instant lies before now − D;
 * - `withinNext D`: the instant lies in [now, now + D].
 * False when the value is not an instant.
 */
export function compareRelative(
  op: RelativeOperator,
  value: unknown,
  isoDuration: string,
  now: Date,
): boolean {
  const instant = instantOf(value);
  const current = now.getTime();
  if (instant === undefined || Number.isNaN(current)) return false;
  switch (op) {
    case 'within': {
      const from = shiftedInstant(now, isoDuration, -1);
      return from !== undefined && from <= instant && instant <= current;
    }
    case 'olderThan': {
      const before = shiftedInstant(now, isoDuration, -1);
      return before !== undefined && instant < before;
    }
    case 'withinNext': {
      const until = shiftedInstant(now, isoDuration, 1);
      return until !== undefined && current <= instant && instant <= until;
    }
  }
}
