import { instantOfWallTime, plusDuration } from './time/calendar.ts';
import { approximateSeconds, type DurationParts, parseIsoDuration } from './time/duration.ts';
import { parseIsoInstant } from './time/iso-instant.ts';
import { isKnownZone, type Zone, zoneOf } from './time/zone.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** No message is delivered between `start` and `end` (local `HH:mm`); it is deferred to the end. */
export type QuietHours = { start: string; end: string };

/** A window of local time of day (`HH:mm`), on the allowed weekdays (all when absent). */
export type LocalWindow = { start: string; end: string; weekdays?: Weekday[] | undefined };

/**
 * Time in journeys: ISO 8601 durations, IANA time zones, quiet hours and
 * local-time windows.
 *
 * Built on the runtime alone: IANA zones resolve through `Intl` (the runtime's
 * own ICU data, no bundled tz database to keep current), and wall-clock
 * arithmetic steps through the zone's offsets so it is correct across DST
 * changes. Keeping a time library out keeps every function bundle smaller
 * and its cold start cheaper.
 *
 * Instants go in and come out as `Date` (callers hold `new Date()` or parse an
 * ISO timestamp; task outputs serialise with `toISOString()`). An invalid
 * `Date` is a programming error and throws a `RangeError`.
 */

/** Matches an ISO 8601 duration such as `PT1H`, `P7D`, `P1DT12H`; a leading `-` means "before". */
const ISO_DURATION = /^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** True when `text` is an ISO 8601 duration (optionally negative). */
export function isIsoDuration(text: string): boolean {
  return ISO_DURATION.test(text);
}

/**
 * Seconds in an ISO 8601 duration. Months count as 30 days and years as 365,
 * the same approximation Step Functions users make for `Wait.Seconds`.
 * Returns `undefined` for text that is not a duration.
 */
export function durationSeconds(text: string): number | undefined {
  const duration = parseDuration(text);
  if (duration === undefined) return undefined;
  return Math.round(approximateSeconds(duration));
}

/**
 * The longest duration a journey may write: 200 years, more than any age or
 * anniversary a date in customer data can mean (`olderThan: P18Y`, a 50th
 * anniversary). Calendar arithmetic with a much longer one (`P300000Y`) runs
 * past the last instant a `Date` holds.
 */
export const LONGEST_DURATION = 'P200Y';
const LONGEST_DURATION_SECONDS = 200 * 365 * 86_400;
/** What a duration past {@link LONGEST_DURATION} is told (an offset adds "before or after"). */
export const LONGEST_MESSAGE = `must be at most ${LONGEST_DURATION} (200 years)`;

/** True when `text` (a duration, either sign) spans at most {@link LONGEST_DURATION}; true for text that is not a duration. */
export function isWithinLongestDuration(text: string): boolean {
  const seconds = durationSeconds(text);
  return seconds === undefined || Math.abs(seconds) <= LONGEST_DURATION_SECONDS;
}

/** True when `zone` is an IANA time zone name known to the runtime, such as `Europe/Rome`. */
export function isValidTimeZone(zone: string): boolean {
  return isKnownZone(zone);
}

/** Matches a 24-hour local time `HH:mm`. */
export const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Minutes after midnight of a `HH:mm` local time, or `undefined` when malformed. */
export function minutesOfDay(text: string): number | undefined {
  if (!LOCAL_TIME.test(text)) return undefined;
  const [hours, minutes] = text.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** The seconds in one Step Functions Standard execution at most: one year. */
export const MAX_EXECUTION_SECONDS = 365 * 24 * 3600;

/**
 * The seconds a `wait` step's `for` lasts: elapsed time as {@link durationSeconds}
 * counts it (a day is 24 hours also across a DST change, a month 30 days),
 * from zero to the one-year execution limit. A Wait state on `Seconds` and a
 * deadline computed for a wait with a local window both read it, so adding a
 * `window` never changes when the duration itself ends.
 */
export function waitSeconds(isoDuration: string): number {
  return Math.min(Math.max(durationSeconds(isoDuration) ?? 0, 0), MAX_EXECUTION_SECONDS);
}

// ---------------------------------------------------------------- durations on instants

/**
 * Adds an ISO 8601 duration to an instant, calendar-aware in `zone` (default
 * UTC): days, weeks, months and years move the local date and keep the
 * wall-clock time (`P1D` from 09:00 is 09:00 the next day even across a DST
 * change; `P1M` from Jan 31 is the last day of February), then hours, minutes
 * and seconds add elapsed time. A negative duration (`-P3D`) subtracts.
 *
 * A wall-clock result that does not exist (spring-forward gap) moves forward by
 * the gap's length (02:30 becomes 03:30); one that occurs twice (fall-back)
 * keeps the offset the starting instant had. An invalid zone falls back to UTC, like
 * {@link nextAllowedTime}. Throws a `RangeError` when the text is not a duration.
 */
export function addDuration(instant: Date, isoDuration: string, zone = 'UTC'): Date {
  const duration = parseDuration(isoDuration);
  if (duration === undefined) throw new RangeError(`not an ISO 8601 duration: ${isoDuration}`);
  return new Date(plusDuration(millisOf(instant), duration, zoneOf(zone)));
}

/**
 * The start of a rolling window that ends at `now`, for frequency caps, entry
 * limits and cooldowns: what happened after this instant counts against "max N
 * within `isoDuration`"; what happened exactly then has just left the window.
 * Calendar units are taken in UTC (`P1M` is the same day of the previous month).
 * Throws a `RangeError` for a negative or malformed duration.
 */
export function rollingWindowStart(now: Date, isoDuration: string): Date {
  if (isoDuration.startsWith('-'))
    throw new RangeError(`a rolling window cannot be negative: ${isoDuration}`);
  return addDuration(now, `-${isoDuration}`);
}

/**
 * The start of a window of entries that ends at `now` (a re-entry cooldown,
 * an entry limit's `per`): one duration ago as elapsed time, or on the
 * calendar of the journey's `zone`, whichever is later. A daily schedule then
 * enters every day across a daylight-saving change, whether it keeps local
 * time (a `cron` in that zone: 23 hours apart in spring) or elapsed time (a
 * `rate`: 23 hours on the calendar in autumn). Same errors as
 * {@link rollingWindowStart}.
 */
export function entryWindowStart(now: Date, isoDuration: string, zone: string): Date {
  const elapsed = rollingWindowStart(now, isoDuration);
  const calendar = addDuration(now, `-${isoDuration}`, zone);
  return new Date(Math.max(calendar.getTime(), elapsed.getTime()));
}

/** The largest epoch milliseconds a `Date` holds. */
const MAX_DATE_MS = 8.64e15;

/** A timestamp whose time ends in an offset: `Z`, `+02`, `+02:00`, `-0500` (the date part has none: its `-` are separators). */
const ENDS_IN_OFFSET = /[Tt].*(?:[Zz]|[+-]\d\d(?::?\d\d)?)$/;

/** How a date in customer data must be written, for a reason that says it is not one. */
export const DATE_FORMS =
  'an ISO 8601 date or date-time such as 2026-03-20, 2026-03-20T18:00:00 or 2026-03-20T18:00:00Z, or epoch milliseconds';

/**
 * The instant a date in customer data (a trait, an event property) denotes,
 * read the same way by an `untilDate` wait, by conditions (`within`,
 * `olderThan`, `withinNext`, an order comparison with a date) and by the
 * template `date` filters:
 * - an ISO 8601 date-time with an offset (`2026-03-20T18:00:00Z`,
 *   `…+01:00`) is that instant;
 * - one without an offset (`2026-03-20T18:00:00`) is that wall-clock time in
 *   `zone`, the customer's: a time a customer or a shop form gives is meant
 *   where the customer is, not in UTC (a time the autumn change repeats is
 *   its later occurrence, one the spring change skips moves on by the gap,
 *   as Luxon reads both);
 * - a calendar day alone (`2026-03-20`: a renewal, a birthday) is that day
 *   from its midnight in `zone` (the first instant after a midnight that a
 *   DST change skips);
 * - a number is epoch milliseconds.
 * Anything else (`03/20/2026`, `March 20`, an empty text) is not a date:
 * `undefined`, never a guess in the machine's own zone.
 */
export function customerInstant(value: unknown, zone: string): Date | undefined {
  let millis: number | undefined;
  if (typeof value === 'number') millis = value;
  else if (typeof value === 'string') {
    const read = parseIsoInstant(value);
    // Within the span a Date holds: a zone is never asked the offset at year 200,000.
    if (read !== undefined && Math.abs(read) <= MAX_DATE_MS && !ENDS_IN_OFFSET.test(value)) {
      const local = zoneOf(zone);
      millis = instantOfWallTime(read, local.offsetMinutes(read), local);
    } else millis = read;
  }
  const date = millis === undefined ? undefined : new Date(millis);
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

/** The units of an ISO duration; `undefined` when malformed. */
function parseDuration(text: string): DurationParts | undefined {
  if (!isIsoDuration(text)) return undefined;
  return parseIsoDuration(text);
}

// ---------------------------------------------------------------- quiet hours and local windows

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** More steps than any week of boundaries and DST changes needs; a guard against a bug looping forever. */
const MAX_STEPS = 64;

/** Day numbers as `Date.getUTCDay()` counts them (Sunday = 0). */
const DAY_NUMBER: Record<Weekday, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/**
 * When a delivery is allowed, in local minutes of day: never in [quietStart, quietEnd), only on `days`.
 * `dayOfOpening`: a window's part after midnight counts on the day the window opened, not the next.
 */
type LocalRule = {
  quietStart: number;
  quietEnd: number;
  days: ReadonlySet<number> | undefined;
  dayOfOpening?: boolean;
};

/**
 * The earliest instant at or after `now` that is outside quiet hours and on an
 * allowed weekday, both read in the customer's IANA `zone`.
 *
 * - `quietHours` `{start, end}` (`HH:mm`) may wrap midnight (`21:00`–`08:00`);
 *   `start` is quiet, `end` is not. `start` equal to `end` means no quiet hours.
 * - `allowedWeekdays` (`'mon'`..`'sun'`) restricts the local day; all days when absent.
 * - DST: the answer is an instant whose local time is allowed. A quiet end that
 *   falls in a spring-forward gap resolves to the first instant after the gap
 *   (02:30 on 2026-03-29 in Europe/Rome is 03:00 CEST); on a fall-back day quiet
 *   hours end at the local time in the offset then in force (08:00 CET).
 * - An invalid zone falls back to UTC: zones are validated where they enter
 *   (journey files, identify traits), so a bad one here must not stop a send.
 *
 * Returns `now` itself when it is already allowed. Throws a `RangeError` for an
 * empty `allowedWeekdays`, malformed local times or an invalid `now`.
 */
export function nextAllowedTime(
  now: Date,
  zone: string,
  quietHours?: QuietHours,
  allowedWeekdays?: readonly Weekday[],
): Date {
  const quietStart = quietHours === undefined ? 0 : localMinutes(quietHours.start);
  const quietEnd = quietHours === undefined ? 0 : localMinutes(quietHours.end);
  return earliestAllowed(millisOf(now), zoneOf(zone), {
    quietStart,
    quietEnd,
    days: daySet(allowedWeekdays),
  });
}

/**
 * The earliest instant at or after `now` inside a local window: local time of
 * day in [`start`, `end`) on one of `weekdays` (all days when absent), in the
 * customer's IANA `zone`. Same DST and invalid-zone rules as
 * {@link nextAllowedTime}: a window wholly inside a skipped hour is not on that
 * day, so the next day's opens it. A window may wrap midnight (`22:00`–`02:00`),
 * as quiet hours may; its part after midnight belongs to the weekday it opened
 * on (Wednesday's window runs to Thursday 02:00). Throws a `RangeError` when
 * `start` equals `end`.
 */
export function nextWindowTime(now: Date, zone: string, window: LocalWindow): Date {
  const start = localMinutes(window.start);
  const end = localMinutes(window.end);
  if (start === end) {
    throw new RangeError(
      `a local window must end at another time than it starts: ${window.start}-${window.end}`,
    );
  }
  // Outside the window is "quiet": from its end, wrapping midnight, to its start.
  return earliestAllowed(millisOf(now), zoneOf(zone), {
    quietStart: end,
    quietEnd: start,
    days: daySet(window.weekdays),
    dayOfOpening: true,
  });
}

/**
 * Walks forward from `now` to the next instant whose local time the rule allows.
 * Each step jumps to the next local boundary where the answer can change (the
 * quiet end or midnight) or to a DST change before it, so a week takes a few
 * dozen steps rather than thousands of minutes.
 */
function earliestAllowed(now: number, zone: Zone, rule: LocalRule): Date {
  let at = now;
  let offset = zone.offsetMinutes(at);
  for (let step = 0; step < MAX_STEPS; step++) {
    const wall = at + offset * MINUTE_MS;
    if (isAllowed(rule, wall)) return new Date(at);
    const next = at + (nextBoundary(rule, wall) - wall);
    // A DST change in between shifts the boundary: stop at the change and look again.
    at = zone.offsetMinutes(next) === offset ? next : offsetChange(zone, at, next);
    offset = zone.offsetMinutes(at);
  }
  throw new RangeError('no allowed time within reach: check quiet hours and weekdays');
}

function isAllowed(rule: LocalRule, wall: number): boolean {
  const minute = Math.floor(modulo(wall, DAY_MS) / MINUTE_MS);
  const { quietStart, quietEnd } = rule;
  // Before a wrapping window's end, the local time is in the window that opened the evening before.
  const before = rule.dayOfOpening === true && quietStart < quietEnd && minute < quietStart;
  const day = new Date(before ? wall - DAY_MS : wall).getUTCDay();
  if (rule.days !== undefined && !rule.days.has(day)) return false;
  if (quietStart === quietEnd) return true;
  const quiet =
    quietStart < quietEnd
      ? minute >= quietStart && minute < quietEnd
      : minute >= quietStart || minute < quietEnd;
  return !quiet;
}

/** The next wall-clock time after `wall` where the rule's answer may change: quiet end or midnight. */
function nextBoundary(rule: LocalRule, wall: number): number {
  const midnight = wall - modulo(wall, DAY_MS);
  const quietEnd = midnight + rule.quietEnd * MINUTE_MS;
  const nextQuietEnd = quietEnd > wall ? quietEnd : quietEnd + DAY_MS;
  return Math.min(nextQuietEnd, midnight + DAY_MS);
}

/** The first millisecond in (`from`, `to`] whose offset differs from the one at `from`. */
function offsetChange(zone: Zone, from: number, to: number): number {
  const before = zone.offsetMinutes(from);
  let low = from;
  let high = to;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offsetMinutes(middle) === before) low = middle;
    else high = middle;
  }
  return high;
}

function daySet(weekdays: readonly Weekday[] | undefined): ReadonlySet<number> | undefined {
  if (weekdays === undefined) return undefined;
  if (weekdays.length === 0) throw new RangeError('allowed weekdays must name at least one day');
  return new Set(weekdays.map((day) => DAY_NUMBER[day]));
}

function localMinutes(text: string): number {
  const minutes = minutesOfDay(text);
  if (minutes === undefined) throw new RangeError(`not a local time HH:mm: ${text}`);
  return minutes;
}

function millisOf(instant: Date): number {
  const millis = instant.getTime();
  if (Number.isNaN(millis)) throw new RangeError('invalid Date');
  return millis;
}

function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
