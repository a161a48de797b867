import fc from 'fast-check';
import { DateTime, Duration, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { instantOf, shiftedInstant } from '#shared/conditions/relative-time.ts';
import { addDuration, durationSeconds, isValidTimeZone } from '#shared/time.ts';

/**
 * The journey runtime computes time with `Intl` and plain arithmetic; Luxon,
 * a well-tested time library, is the reference it must agree with on every
 * instant, zone and duration a journey can use.
 */

const ZONES = [
  'UTC',
  'Europe/Rome',
  'Europe/London',
  'America/New_York',
  'America/Sao_Paulo',
  'Australia/Lord_Howe', // 30-minute DST shift
  'Asia/Kolkata',
  'Pacific/Chatham', // +12:45 / +13:45
  'America/St_Johns',
  'Africa/Casablanca',
  'Pacific/Apia', // skipped a whole day in 2011
  'Not/AZone',
];

/** Instants from 2010 to 2035, millisecond precision. */
const instant = fc.integer({ min: Date.UTC(2010, 0, 1), max: Date.UTC(2035, 11, 31) });

/** ISO durations as the journey language writes them, both signs. */
const isoDuration = fc
  .record({
    negative: fc.boolean(),
    years: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    months: fc.option(fc.integer({ min: 0, max: 14 }), { nil: undefined }),
    weeks: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    days: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
    hours: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    minutes: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
    seconds: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
    fraction: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
  })
  .map((d) => {
    const date = `${d.years !== undefined ? `${d.years}Y` : ''}${d.months !== undefined ? `${d.months}M` : ''}${d.weeks !== undefined ? `${d.weeks}W` : ''}${d.days !== undefined ? `${d.days}D` : ''}`;
    const seconds =
      d.seconds !== undefined ? `${d.seconds}${d.fraction !== undefined ? `.${d.fraction}` : ''}S` : '';
    const time = `${d.hours !== undefined ? `${d.hours}H` : ''}${d.minutes !== undefined ? `${d.minutes}M` : ''}${seconds}`;
    return `${d.negative ? '-' : ''}P${date}${time ? `T${time}` : ''}`;
  })
  .filter((text) => !/P$|P-?$/.test(text) && text !== '-P');

function luxonDuration(text: string): Duration {
  const negative = text.startsWith('-');
  const duration = Duration.fromISO(negative ? text.slice(1) : text);
  return negative ? duration.negate() : duration;
}

/** Which of ZONES Luxon knows, asked once: it builds a date formatter per question. */
const LUXON_ZONES = new Map(ZONES.map((zone) => [zone, IANAZone.isValidZone(zone)]));

describe('time without a time library agrees with Luxon', () => {
  it('adds durations in a zone across DST changes, month ends and gaps', () => {
    fc.assert(
      fc.property(instant, isoDuration, fc.constantFrom(...ZONES), (millis, text, zone) => {
        const expected = DateTime.fromMillis(millis, { zone: LUXON_ZONES.get(zone) ? zone : 'utc' })
          .plus(luxonDuration(text))
          .toMillis();
        expect(addDuration(new Date(millis), text, zone).getTime()).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('lands on the far side of spring-forward gaps and keeps the offset in fall-back hours', () => {
    // Every DST change of a few zones in 2026, approached from a calendar unit away.
    const changes = ZONES.filter((zone) => IANAZone.isValidZone(zone)).flatMap((zone) => {
      const found: { zone: string; at: number }[] = [];
      const tz = IANAZone.create(zone);
      for (let at = Date.UTC(2026, 0, 1); at < Date.UTC(2027, 0, 1); at += 3_600_000) {
        if (tz.offset(at) !== tz.offset(at + 3_600_000)) found.push({ zone, at });
      }
      return found;
    });
    expect(changes.length).toBeGreaterThan(10);
    for (const { zone, at } of changes) {
      for (const [text, from] of [
        ['P1D', at - 86_400_000],
        ['-P1D', at + 86_400_000],
        ['P1W', at - 7 * 86_400_000],
        ['P1M', DateTime.fromMillis(at, { zone }).minus({ months: 1 }).toMillis()],
      ] as const) {
        for (let minute = -120; minute <= 120; minute += 5) {
          const start = from + minute * 60_000;
          const expected = DateTime.fromMillis(start, { zone }).plus(luxonDuration(text)).toMillis();
          expect(addDuration(new Date(start), text, zone).getTime(), `${zone} ${text} from ${start}`).toBe(
            expected,
          );
        }
      }
    }
  });

  it('shifts instants by durations in UTC, both directions', () => {
    fc.assert(
      fc.property(instant, isoDuration, fc.constantFrom<1 | -1>(1, -1), (millis, text, direction) => {
        const start = DateTime.fromMillis(millis, { zone: 'utc' });
        const duration = luxonDuration(text);
        const expected = (direction > 0 ? start.plus(duration) : start.minus(duration)).toMillis();
        expect(shiftedInstant(new Date(millis), text, direction)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('counts the seconds of a duration with 30-day months and 365-day years', () => {
    fc.assert(
      fc.property(isoDuration, (text) => {
        const expected = Math.round(luxonDuration(text).shiftTo('seconds').as('seconds'));
        expect(durationSeconds(text)).toBe(expected);
      }),
    );
  });

  it('reads ISO timestamps in every date form, with and without offsets', () => {
    const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
    const timestamp = fc
      .record({
        millis: instant,
        form: fc.constantFrom('calendar', 'basic', 'week', 'ordinal', 'month', 'year'),
        time: fc.constantFrom('none', 'hour', 'minute', 'second', 'fraction', 'basic'),
        offset: fc.constantFrom('none', 'Z', '+02', '-05:30', '+0545', '-00:00'),
      })
      .map(({ millis, form, time, offset }) => {
        const at = DateTime.fromMillis(millis, { zone: 'utc' });
        const date =
          form === 'calendar'
            ? at.toFormat('yyyy-MM-dd')
            : form === 'basic'
              ? at.toFormat('yyyyMMdd')
              : form === 'week'
                ? `${at.toFormat("kkkk-'W'WW")}-${at.weekday}`
                : form === 'ordinal'
                  ? at.toFormat('yyyy-ooo')
                  : form === 'month'
                    ? at.toFormat('yyyy-MM')
                    : at.toFormat('yyyy');
        const clock = {
          none: '',
          hour: `T${pad(at.hour)}`,
          minute: `T${pad(at.hour)}:${pad(at.minute)}`,
          second: `T${at.toFormat('HH:mm:ss')}`,
          fraction: `T${at.toFormat('HH:mm:ss.SSS')}`,
          basic: `T${at.toFormat('HHmmss')}`,
        }[time];
        return `${date}${clock}${clock && offset !== 'none' ? offset : ''}`;
      });
    fc.assert(
      fc.property(timestamp, (text) => {
        const parsed = DateTime.fromISO(text, { zone: 'utc' });
        expect(instantOf(text, 'UTC')).toBe(parsed.isValid ? parsed.toMillis() : undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    '2026-02-30',
    '2026-13-01',
    '2026-W54-1',
    '2026-000',
    '2026-366',
    '2024-366T10:00Z',
    '2026-03-29T24:00',
    '2026-03-29T24:01',
    '2026-03-29T23:60',
    '2026-03-29T10:00:60',
    '2026-03-29 10:00',
    '2026/03/29',
    'yesterday',
    '',
    '+002026-03-29T10:00:00Z',
    '2026-03-29t10:00:00z',
    '2026-03-29T10:00:00,5+01',
  ])('reads %j as Luxon does', (text) => {
    const parsed = DateTime.fromISO(text, { zone: 'utc' });
    expect(instantOf(text, 'UTC')).toBe(parsed.isValid ? parsed.toMillis() : undefined);
  });

  it.each(['10:30', '10:30:00Z', 'T10:30'])(
    'does not read the time %j without a date as an instant',
    (text) => {
      // Luxon reads it as today by the wall clock; a condition must not depend on the day it runs.
      expect(instantOf(text, 'UTC')).toBeUndefined();
    },
  );

  it.each(ZONES.concat(['utc', 'europe/rome', 'Etc/GMT+5', '', 'Mars/Olympus']))(
    'knows the zone %j as Luxon does',
    (zone) => {
      expect(isValidTimeZone(zone)).toBe(IANAZone.isValidZone(zone));
    },
  );
});
