import { utcMillis } from './zone.ts';

/**
 * ISO 8601 timestamps as epoch milliseconds: a calendar date (`2026-03-29`,
 * `20260329`, `+002026-03-29`, `2026-03`, `2026`), a week date (`2026-W13-7`)
 * or an ordinal date (`2026-088`), optionally followed by `T` and a time
 * (`10`, `10:30`, `10:30:15`, `10:30:15.250`, basic `103015`) and an offset
 * (`Z`, `+02`, `+02:00`, `+0200`). No offset means UTC. A time without a date
 * is not an instant (it would mean "today", whatever day that is).
 */

const TIME = String.raw`(?:[Tt](\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d{1,30}))?)?)?(?:([Zz])|([+-]\d\d)(?::?(\d\d))?)?)?`;
const CALENDAR = new RegExp(String.raw`^([+-]\d{6}|\d{4})(?:-?(\d\d)(?:-?(\d\d))?)?${TIME}$`);
const WEEK = new RegExp(String.raw`^(\d{4})-?W(\d\d)(?:-?(\d))?${TIME}$`);
const ORDINAL = new RegExp(String.raw`^(\d{4})-?(\d{3})${TIME}$`);

const DAY_MS = 86_400_000;

/** Epoch milliseconds of a UTC date; undefined when the day is not in the month. */
function dateMillis(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const millis = utcMillis(year, month, day, 0, 0, 0, 0);
  return new Date(millis).getUTCDate() === day ? millis : undefined;
}

/** The Monday that starts ISO week 1 of `year` (the week holding 4 January). */
function firstMonday(year: number): number {
  const fourth = utcMillis(year, 1, 4, 0, 0, 0, 0);
  const weekday = (new Date(fourth).getUTCDay() + 6) % 7; // Monday = 0
  return fourth - weekday * DAY_MS;
}

function weekDateMillis(year: number, week: number, weekday: number): number | undefined {
  const weeks = (firstMonday(year + 1) - firstMonday(year)) / (7 * DAY_MS);
  if (week < 1 || week > weeks || weekday < 1 || weekday > 7) return undefined;
  return firstMonday(year) + ((week - 1) * 7 + weekday - 1) * DAY_MS;
}

function ordinalMillis(year: number, ordinal: number): number | undefined {
  const start = utcMillis(year, 1, 1, 0, 0, 0, 0);
  const days = (utcMillis(year + 1, 1, 1, 0, 0, 0, 0) - start) / DAY_MS;
  if (ordinal < 1 || ordinal > days) return undefined;
  return start + (ordinal - 1) * DAY_MS;
}

/** Milliseconds after midnight minus the offset, from the time groups; undefined when out of range. */
function timeMillis(groups: (string | undefined)[]): number | undefined {
  const [hourText, minuteText, secondText, fraction, zulu, offsetHourText, offsetMinuteText] = groups;
  const hour = Number(hourText ?? 0);
  const minute = Number(minuteText ?? 0);
  const second = Number(secondText ?? 0);
  const millisecond = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const midnightNext = hour === 24 && minute === 0 && second === 0 && millisecond === 0;
  if ((hour > 23 && !midnightNext) || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zulu === undefined && offsetHourText !== undefined) {
    const offsetHours = Number(offsetHourText);
    const minutes = Number(offsetMinuteText ?? 0);
    offsetMinutes = offsetHours * 60 + (offsetHourText.startsWith('-') ? -minutes : minutes);
  }
  return ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millisecond;
}

/** Epoch milliseconds of an ISO 8601 timestamp, or `undefined` when `text` is not one. */
export function parseIsoInstant(text: string): number | undefined {
  let date: number | undefined;
  let time: (string | undefined)[];
  const calendar = CALENDAR.exec(text);
  const week = calendar ? null : WEEK.exec(text);
  const ordinal = calendar || week ? null : ORDINAL.exec(text);
  if (calendar) {
    date = dateMillis(Number(calendar[1]), Number(calendar[2] ?? 1), Number(calendar[3] ?? 1));
    time = calendar.slice(4);
  } else if (week) {
    date = weekDateMillis(Number(week[1]), Number(week[2]), Number(week[3] ?? 1));
    time = week.slice(4);
  } else if (ordinal) {
    date = ordinalMillis(Number(ordinal[1]), Number(ordinal[2]));
    time = ordinal.slice(3);
  } else {
    return undefined;
  }
  const sinceMidnight = timeMillis(time);
  if (date === undefined || sinceMidnight === undefined) return undefined;
  return date + sinceMidnight;
}
