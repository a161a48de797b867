/**
 * ISO 8601 durations (`PT1H`, `P7D`, `P1DT12H`, `-P3D`) as their separate
 * units: calendar units move a local date, time units add elapsed time, so
 * they cannot be folded into one number of milliseconds.
 */

/** The units of a duration, each signed (a negative duration negates every unit). */
export type DurationParts = {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
  milliseconds: number;
};

/**
 * Up to 20 digits per unit, a fraction on seconds only; a leading `-` means
 * "before". At least one unit, and a `T` only before a time unit.
 */
const ISO_DURATION =
  /^(-)?P(?!$)(?:(\d{1,20})Y)?(?:(\d{1,20})M)?(?:(\d{1,20})W)?(?:(\d{1,20})D)?(?:T(?=\d)(?:(\d{1,20})H)?(?:(\d{1,20})M)?(?:(\d{1,20})(?:[.,](\d{1,20}))?S)?)?$/;

/** The units of an ISO 8601 duration, or `undefined` when `text` is not one. */
export function parseIsoDuration(text: string): DurationParts | undefined {
  const match = ISO_DURATION.exec(text);
  if (!match) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  const unit = (index: number) => sign * Number(match[index] ?? 0);
  const fraction = match[9];
  return {
    years: unit(2),
    months: unit(3),
    weeks: unit(4),
    days: unit(5),
    hours: unit(6),
    minutes: unit(7),
    seconds: unit(8),
    // The fraction of a second, to whole milliseconds (truncated).
    milliseconds: fraction === undefined ? 0 : sign * Math.floor(Number(`0.${fraction}`) * 1000),
  };
}

/** The same duration in the other direction. */
export function negateDuration(duration: DurationParts): DurationParts {
  return {
    years: -duration.years,
    months: -duration.months,
    weeks: -duration.weeks,
    days: -duration.days,
    hours: -duration.hours,
    minutes: -duration.minutes,
    seconds: -duration.seconds,
    milliseconds: -duration.milliseconds,
  };
}

/**
 * Seconds in a duration with the usual approximations for the calendar
 * units: a year is 365 days, a month 30, a week 7, a day 24 hours.
 */
export function approximateSeconds(parts: DurationParts): number {
  const days = parts.years * 365 + parts.months * 30 + parts.weeks * 7 + parts.days;
  return days * 86_400 + parts.hours * 3600 + parts.minutes * 60 + parts.seconds + parts.milliseconds / 1000;
}
