import { DateTime } from 'luxon';
import { durationSeconds, isIsoDuration, isValidTimeZone } from '../../../shared/time.ts';
import { durationProblem } from './durations.ts';

/** Zones for the Pinpoint offsets that are not whole hours: the main place that keeps that offset. */
const FRACTIONAL_OFFSETS: Record<string, string> = {
  '-03:30': 'America/St_Johns',
  '+03:30': 'Asia/Tehran',
  '+04:30': 'Asia/Kabul',
  '+05:30': 'Asia/Kolkata',
  '+05:45': 'Asia/Kathmandu',
  '+06:30': 'Asia/Yangon',
  '+08:45': 'Australia/Eucla',
  '+09:30': 'Australia/Darwin',
  '+10:30': 'Australia/Lord_Howe',
  '+12:45': 'Pacific/Chatham',
  '-09:30': 'Pacific/Marquesas',
};

/** Offsets Pinpoint offers that no zone keeps all year: the zone that keeps them in its summer. */
const SUMMER_OFFSETS: Record<string, string> = {
  '-02:30': 'America/St_Johns',
  '+13:45': 'Pacific/Chatham',
};

export type ZoneMapping = { zone: string; note?: string };

/**
 * An IANA zone for a Pinpoint `Schedule.Timezone`. Pinpoint writes `UTC`,
 * `UTC+01`, `UTC-05`, `UTC+05:30`…; whole-hour offsets become `Etc/GMT∓N`
 * (POSIX sign: east of Greenwich is negative), fractional ones a city keeping
 * that offset; an IANA name is kept when it is valid.
 */
export function zoneFromPinpoint(text: string): ZoneMapping {
  if (text === 'UTC' || text === 'GMT' || text === 'UTC+00' || text === 'UTC-00') return { zone: 'UTC' };
  const offset = /^UTC([+-])(\d{2})(?::?(\d{2}))?$/.exec(text);
  if (offset !== null) {
    const [, sign = '+', hours = '00', minutes = '00'] = offset;
    if (minutes === '00') {
      const zone = `Etc/GMT${sign === '+' ? '-' : '+'}${Number(hours)}`;
      if (isValidTimeZone(zone)) return { zone };
    }
    const city = FRACTIONAL_OFFSETS[`${sign}${hours}:${minutes}`];
    if (city !== undefined)
      return {
        zone: city,
        note: `${text} became ${city}, a zone with that offset (check its daylight saving time).`,
      };
    const summer = SUMMER_OFFSETS[`${sign}${hours}:${minutes}`];
    if (summer !== undefined)
      return {
        zone: summer,
        note: `${text} became ${summer}, which keeps that offset during its daylight saving time only (an hour less the rest of the year); no zone keeps it all year.`,
      };
  }
  if (isValidTimeZone(text)) return { zone: text };
  return { zone: 'UTC', note: `"${text}" is not a known time zone or UTC offset; UTC is used instead.` };
}

/** An ISO timestamp with an offset; Pinpoint timestamps without one are read in `zone`. */
export function toTimestamp(text: string, zone: string): string | undefined {
  const parsed = DateTime.fromISO(text, { zone, setZone: true });
  if (!parsed.isValid) return undefined;
  return parsed.toUTC().toISO({ suppressMilliseconds: true }) ?? undefined;
}

/** True when `text` is a duration in whole units (the schema converted the fractions it could), not negative. */
function isWholeDuration(text: string): boolean {
  return isIsoDuration(text) && durationProblem(text) === undefined && !text.startsWith('-');
}

/**
 * A string known to be a positive duration. Branded so that the guard's false branch removes only
 * this type: a string that is not a positive duration (`PT0S`, `-P1D`) stays a string there.
 */
export type PositiveDuration = string & { readonly positiveDuration: true };

/** True when `text` is a positive ISO 8601 duration our language accepts. */
export function isPositiveDuration(text: string | undefined): text is PositiveDuration {
  return text !== undefined && isWholeDuration(text) && (durationSeconds(text) ?? 0) > 0;
}

/** True when `text` is an ISO 8601 duration of no time at all (`PT0S`, `P0D`): Pinpoint's "at once". */
export function isZeroDuration(text: string): boolean {
  return isWholeDuration(text) && durationSeconds(text) === 0;
}

/** An EventBridge `rate(...)` expression for a refresh interval, rounded to whole minutes (at least one). */
export function rateFromDuration(iso: string): string | undefined {
  const seconds = durationSeconds(iso);
  if (seconds === undefined || seconds <= 0) return undefined;
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes % 1440 === 0) return plural(minutes / 1440, 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

/** True when {@link rateFromDuration} keeps `iso` exactly: whole minutes, one at least. */
export function rateIsExact(iso: string): boolean {
  const seconds = durationSeconds(iso);
  return seconds !== undefined && seconds >= 60 && seconds % 60 === 0;
}

function plural(n: number, unit: string): string {
  return `rate(${n} ${unit}${n === 1 ? '' : 's'})`;
}
