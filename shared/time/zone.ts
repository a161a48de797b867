/**
 * IANA time zones through the runtime's own `Intl` (ICU) data: no bundled tz
 * database to keep current, and the same answers Node gives everywhere else.
 */

/** A time zone that can say its UTC offset at any instant. */
export type Zone = { readonly name: string; offsetMinutes(millis: number): number };

/** UTC without asking `Intl`: creating a formatter is the costly part, and UTC needs none. */
export const UTC: Zone = { name: 'UTC', offsetMinutes: () => 0 };

/**
 * One formatter per zone: creating an `Intl.DateTimeFormat` costs far more
 * than using one, and each holds ICU memory. `Intl` reads zone names without
 * regard to ASCII case (`europe/rome` is `Europe/Rome`), so the cache is keyed
 * by the name in lower case: it holds at most one formatter per zone the
 * runtime knows, however many spellings customers send.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A zone name as the cache keys it: ASCII letters in lower case, as `Intl` compares names (other characters as they are). */
function zoneKey(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function formatterOf(name: string): Intl.DateTimeFormat | undefined {
  const key = zoneKey(name);
  const cached = formatters.get(key);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  formatters.set(key, formatter);
  return formatter;
}

/** True when `name` is a time zone the runtime knows, such as `Europe/Rome` or `UTC`. */
export function isKnownZone(name: string): boolean {
  return formatterOf(name) !== undefined;
}

/** The zone called `name`, or UTC when the runtime does not know it. */
export function zoneOf(name: string): Zone {
  if (name === 'UTC') return UTC;
  const formatter = formatterOf(name);
  if (!formatter) return UTC;
  const key = zoneKey(name);
  return { name, offsetMinutes: (millis) => hourlyOffset(key, formatter, millis) };
}

const HOUR_MS = 3_600_000;

/**
 * Offsets per zone and UTC hour, for hours that have one offset throughout:
 * asking `Intl` costs a formatted date per question, and a journey asks
 * about the same few zones and hours again and again. An hour is kept only
 * when its first and last second have the same offset, so an hour with a
 * transition in it (at whatever minute or second) is always asked anew; no
 * zone changes its offset and back within an hour. Bounded, oldest out first.
 */
const offsets = new Map<string, number>();
const OFFSETS_LIMIT = 4_096;

function hourlyOffset(zone: string, formatter: Intl.DateTimeFormat, millis: number): number {
  const hour = Math.floor(millis / HOUR_MS);
  const key = `${zone}\u0000${hour}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  const offset = offsetMinutes(formatter, millis);
  const first = hour * HOUR_MS;
  if (
    offsetMinutes(formatter, first) === offset &&
    offsetMinutes(formatter, first + HOUR_MS - 1_000) === offset
  ) {
    if (offsets.size >= OFFSETS_LIMIT) offsets.delete(offsets.keys().next().value ?? '');
    offsets.set(key, offset);
  }
  return offset;
}

/**
 * The offset at an instant: the wall-clock time the formatter shows, read as
 * if it were UTC, minus the instant (both to the whole second, as wall clocks
 * show no milliseconds).
 */
function offsetMinutes(formatter: Intl.DateTimeFormat, millis: number): number {
  const fields = new Map<string, string>();
  for (const part of formatter.formatToParts(new Date(millis))) fields.set(part.type, part.value);
  const field = (type: string) => Number(fields.get(type));
  const era = fields.get('era');
  const year = era === 'BC' || era === 'B' ? 1 - field('year') : field('year');
  const hour = field('hour') === 24 ? 0 : field('hour');
  const wall = utcMillis(year, field('month'), field('day'), hour, field('minute'), field('second'), 0);
  const second = millis - (((millis % 1000) + 1000) % 1000);
  return Math.round((wall - second) / 60_000);
}

/** Epoch milliseconds of a UTC calendar time; month 1-12, any field may overflow. Years 0-99 are years, not 1900s. */
export function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
): number {
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond));
  if (year >= 0 && year < 100) date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}
