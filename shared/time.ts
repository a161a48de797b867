import { Duration, IANAZone } from 'luxon';

/**
 * Time in journeys: ISO 8601 durations and IANA time zones.
 *
 * Luxon is the time library: it parses ISO 8601 durations, resolves IANA zones
 * through the runtime's own ICU data (no bundled tz database to keep current)
 * and does wall-clock arithmetic that is correct across DST changes.
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
  if (!isIsoDuration(text)) return undefined;
  const negative = text.startsWith('-');
  const duration = Duration.fromISO(negative ? text.slice(1) : text);
  if (!duration.isValid) return undefined;
  const seconds = Math.round(duration.shiftTo('seconds').as('seconds'));
  return negative ? -seconds : seconds;
}

/** True when `zone` is an IANA time zone name known to the runtime, such as `Europe/Rome`. */
export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
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
