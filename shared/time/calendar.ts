import type { DurationParts } from './duration.ts';
import { utcMillis, type Zone } from './zone.ts';

/** A local calendar date and time in a zone; month 1-12. */
type LocalTime = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
};

const MINUTE_MS = 60_000;

function localTimeOf(millis: number, offsetMinutes: number): LocalTime {
  const wall = new Date(millis + offsetMinutes * MINUTE_MS);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    millisecond: wall.getUTCMilliseconds(),
  };
}

/** Days in a month; the month may lie outside 1-12 (13 is January of the next year). */
function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; setUTCFullYear keeps years 0-99 as they are.
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return last.getUTCDate();
}

/**
 * The instant whose wall-clock time in `zone` is `wall` (local time read as
 * UTC millis), preferring the offset `guess` when the wall time occurs
 * twice (a fall-back hour keeps the offset the start had). A wall time in a
 * spring-forward gap has no instant: it moves forward by the gap's length.
 */
export function instantOfWallTime(wall: number, guess: number, zone: Zone): number {
  const first = wall - guess * MINUTE_MS;
  const firstOffset = zone.offsetMinutes(first);
  if (firstOffset === guess) return first;
  const second = first - (firstOffset - guess) * MINUTE_MS;
  const secondOffset = zone.offsetMinutes(second);
  if (firstOffset === secondOffset) return second;
  // In a gap neither offset fits: take the earlier offset's reading, which lands after the gap.
  return wall - Math.min(firstOffset, secondOffset) * MINUTE_MS;
}

/**
 * `millis` plus a duration in `zone`: years, months, weeks and days move the
 * local date and keep the wall-clock time (a day past the end of a shorter
 * month clamps to its last day first), then hours, minutes, seconds and
 * milliseconds add elapsed time.
 */
export function plusDuration(millis: number, duration: DurationParts, zone: Zone): number {
  const offset = zone.offsetMinutes(millis);
  const local = localTimeOf(millis, offset);
  const year = local.year + duration.years;
  const month = local.month + duration.months;
  const day = Math.min(local.day, daysInMonth(year, month)) + duration.days + duration.weeks * 7;
  const wall = utcMillis(year, month, day, local.hour, local.minute, local.second, local.millisecond);
  const moved = instantOfWallTime(wall, offset, zone);
  const elapsed =
    duration.hours * 3_600_000 +
    duration.minutes * MINUTE_MS +
    duration.seconds * 1000 +
    duration.milliseconds;
  return moved + elapsed;
}
