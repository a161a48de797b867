import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  customerInstant,
  durationSeconds,
  isIsoDuration,
  isValidTimeZone,
  type LocalWindow,
  MAX_EXECUTION_SECONDS,
  minutesOfDay,
  nextAllowedTime,
  nextWindowTime,
  type QuietHours,
  rollingWindowStart,
  type Weekday,
} from '#shared/time.ts';

const NIGHT: QuietHours = { start: '21:00', end: '08:00' };
const WORKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

type AllowedCase = {
  name: string;
  now: string;
  zone: string;
  quiet?: QuietHours;
  days?: Weekday[];
  expected: string;
};

describe('nextAllowedTime', () => {
  const cases: AllowedCase[] = [
    // now already allowed
    {
      name: 'midday is allowed as is',
      now: '2026-06-10T10:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      expected: '2026-06-10T10:00:00.000Z',
    },
    {
      name: 'the quiet end itself is allowed',
      now: '2026-06-11T06:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      expected: '2026-06-11T06:00:00.000Z',
    },
    {
      name: 'the minute before the quiet start is allowed',
      now: '2026-06-10T18:59:59.999Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      expected: '2026-06-10T18:59:59.999Z',
    },
    {
      name: 'no quiet hours',
      now: '2026-06-10T23:00:00Z',
      zone: 'Europe/Rome',
      expected: '2026-06-10T23:00:00.000Z',
    },
    {
      name: 'start equal to end means no quiet hours',
      now: '2026-06-10T23:00:00Z',
      zone: 'Europe/Rome',
      quiet: { start: '22:00', end: '22:00' },
      expected: '2026-06-10T23:00:00.000Z',
    },
    // quiet hours wrapping midnight
    {
      name: 'the quiet start defers to the next morning',
      now: '2026-06-10T19:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      expected: '2026-06-11T06:00:00.000Z',
    },
    {
      name: 'late evening defers to the next morning',
      now: '2026-06-10T20:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      expected: '2026-06-11T06:00:00.000Z',
    },
    {
      name: 'after midnight defers to the same morning',
      now: '2026-06-11T01:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      expected: '2026-06-11T06:00:00.000Z',
    },
    {
      name: 'seconds before the end round up to the end',
      now: '2026-06-11T05:59:30.500Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      expected: '2026-06-11T06:00:00.000Z',
    },
    {
      name: 'quiet hours within one day',
      now: '2026-06-10T11:30:00Z',
      zone: 'Europe/Rome',
      quiet: { start: '12:00', end: '14:00' },
      expected: '2026-06-10T12:00:00.000Z',
    },
    // Europe, spring forward 2026-03-29 (Rome 02:00 CET -> 03:00 CEST, London 01:00 GMT -> 02:00 BST)
    {
      name: 'Rome: quiet night across spring forward ends at 08:00 CEST',
      now: '2026-03-28T22:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      expected: '2026-03-29T06:00:00.000Z',
    },
    {
      name: 'Rome: a quiet end of 02:30 that does not exist resolves to 03:00 CEST',
      now: '2026-03-29T00:30:00Z',
      zone: 'Europe/Rome',
      quiet: { start: '21:00', end: '02:30' },
      expected: '2026-03-29T01:00:00.000Z',
    },
    {
      name: 'London: quiet night across spring forward ends at 08:00 BST',
      now: '2026-03-28T22:00:00Z',
      zone: 'Europe/London',
      quiet: NIGHT,
      expected: '2026-03-29T07:00:00.000Z',
    },
    {
      name: 'London: a quiet end of 01:30 that does not exist resolves to 02:00 BST',
      now: '2026-03-29T00:30:00Z',
      zone: 'Europe/London',
      quiet: { start: '22:00', end: '01:30' },
      expected: '2026-03-29T01:00:00.000Z',
    },
    // Europe, fall back 2026-10-25 (Rome 03:00 CEST -> 02:00 CET, London 02:00 BST -> 01:00 GMT)
    {
      name: 'Rome: quiet night across fall back ends at 08:00 CET',
      now: '2026-10-24T20:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      expected: '2026-10-25T07:00:00.000Z',
    },
    {
      name: 'Rome: a quiet end in the repeated hour ends at its first occurrence',
      now: '2026-10-24T22:00:00Z',
      zone: 'Europe/Rome',
      quiet: { start: '21:00', end: '02:30' },
      expected: '2026-10-25T00:30:00.000Z',
    },
    {
      name: 'Rome: the repeated hour before 02:30 is quiet again',
      now: '2026-10-25T01:10:00Z',
      zone: 'Europe/Rome',
      quiet: { start: '21:00', end: '02:30' },
      expected: '2026-10-25T01:30:00.000Z',
    },
    {
      name: 'Rome: clocks going back out of quiet hours end them at the change',
      now: '2026-10-25T00:40:00Z',
      zone: 'Europe/Rome',
      quiet: { start: '02:30', end: '05:00' },
      expected: '2026-10-25T01:00:00.000Z',
    },
    {
      name: 'London: quiet night across fall back ends at 08:00 GMT',
      now: '2026-10-24T21:00:00Z',
      zone: 'Europe/London',
      quiet: NIGHT,
      expected: '2026-10-25T08:00:00.000Z',
    },
    // US, spring forward 2026-03-08 (02:00 -> 03:00 local)
    {
      name: 'New York: quiet night across spring forward ends at 08:00 EDT',
      now: '2026-03-08T03:00:00Z',
      zone: 'America/New_York',
      quiet: NIGHT,
      expected: '2026-03-08T12:00:00.000Z',
    },
    {
      name: 'New York: a quiet end of 02:30 that does not exist resolves to 03:00 EDT',
      now: '2026-03-08T06:30:00Z',
      zone: 'America/New_York',
      quiet: { start: '21:00', end: '02:30' },
      expected: '2026-03-08T07:00:00.000Z',
    },
    {
      name: 'Los Angeles: quiet night across spring forward ends at 08:00 PDT',
      now: '2026-03-08T06:00:00Z',
      zone: 'America/Los_Angeles',
      quiet: NIGHT,
      expected: '2026-03-08T15:00:00.000Z',
    },
    // US, fall back 2026-11-01 (02:00 -> 01:00 local)
    {
      name: 'New York: quiet night across fall back ends at 08:00 EST',
      now: '2026-11-01T02:00:00Z',
      zone: 'America/New_York',
      quiet: NIGHT,
      expected: '2026-11-01T13:00:00.000Z',
    },
    {
      name: 'New York: a quiet end in the repeated hour ends at its first occurrence',
      now: '2026-11-01T04:30:00Z',
      zone: 'America/New_York',
      quiet: { start: '21:00', end: '01:30' },
      expected: '2026-11-01T05:30:00.000Z',
    },
    {
      name: 'Los Angeles: quiet night across fall back ends at 08:00 PST',
      now: '2026-11-01T05:00:00Z',
      zone: 'America/Los_Angeles',
      quiet: NIGHT,
      expected: '2026-11-01T16:00:00.000Z',
    },
    // zones with non-hour offsets
    {
      name: 'Kolkata (+05:30)',
      now: '2026-06-10T16:00:00Z',
      zone: 'Asia/Kolkata',
      quiet: NIGHT,
      expected: '2026-06-11T02:30:00.000Z',
    },
    {
      name: 'Kolkata (+05:30) allowed at 08:00 IST',
      now: '2026-06-11T02:30:00Z',
      zone: 'Asia/Kolkata',
      quiet: NIGHT,
      expected: '2026-06-11T02:30:00.000Z',
    },
    {
      name: 'Kathmandu (+05:45)',
      now: '2026-06-10T16:00:00Z',
      zone: 'Asia/Kathmandu',
      quiet: NIGHT,
      expected: '2026-06-11T02:15:00.000Z',
    },
    // weekday restrictions
    {
      name: 'Friday night rolls over the weekend to Monday morning',
      now: '2026-06-12T19:30:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      days: WORKDAYS,
      expected: '2026-06-15T06:00:00.000Z',
    },
    {
      name: 'Saturday noon waits for Monday morning',
      now: '2026-06-13T10:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      days: WORKDAYS,
      expected: '2026-06-15T06:00:00.000Z',
    },
    {
      name: 'Monday only, no quiet hours: from local midnight',
      now: '2026-06-13T10:00:00Z',
      zone: 'Europe/Rome',
      days: ['mon'],
      expected: '2026-06-14T22:00:00.000Z',
    },
    {
      name: 'weekend only from a Friday',
      now: '2026-06-12T10:00:00Z',
      zone: 'Europe/Rome',
      days: ['sat', 'sun'],
      expected: '2026-06-12T22:00:00.000Z',
    },
    {
      name: 'the weekday is the local one (Friday evening in New York is Saturday in UTC)',
      now: '2026-06-13T01:00:00Z',
      zone: 'America/New_York',
      days: WORKDAYS,
      expected: '2026-06-13T01:00:00.000Z',
    },
    {
      name: 'a weekday allowed today is used today',
      now: '2026-06-10T04:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      days: ['wed'],
      expected: '2026-06-10T06:00:00.000Z',
    },
    {
      name: 'a weekend rollover across spring forward',
      now: '2026-03-27T20:00:00Z',
      zone: 'Europe/Rome',
      quiet: NIGHT,
      days: WORKDAYS,
      expected: '2026-03-30T06:00:00.000Z',
    },
    // invalid zones fall back to UTC
    {
      name: 'an unknown zone is read as UTC',
      now: '2026-06-10T22:00:00Z',
      zone: 'Mars/Olympus_Mons',
      quiet: NIGHT,
      expected: '2026-06-11T08:00:00.000Z',
    },
  ];

  it.each(cases)('$name', ({ now, zone, quiet, days, expected }) => {
    // act
    const result = nextAllowedTime(new Date(now), zone, quiet, days);
    // assert
    expect(result.toISOString()).toBe(expected);
  });

  it.each([
    { name: 'no weekday', quiet: NIGHT, days: [] },
    { name: 'a malformed quiet start', quiet: { start: '9pm', end: '08:00' }, days: undefined },
  ])('rejects $name', ({ quiet, days }) => {
    expect(() => nextAllowedTime(new Date('2026-06-10T10:00:00Z'), 'UTC', quiet, days)).toThrow(RangeError);
  });

  it('rejects an invalid Date', () => {
    expect(() => nextAllowedTime(new Date('not a date'), 'UTC', NIGHT)).toThrow(RangeError);
  });
});

describe('nextWindowTime', () => {
  const nineToFive: LocalWindow = { start: '09:00', end: '17:00' };
  const cases: { name: string; now: string; zone: string; window: LocalWindow; expected: string }[] = [
    {
      name: 'inside the window',
      now: '2026-06-10T10:00:00Z',
      zone: 'Europe/Rome',
      window: nineToFive,
      expected: '2026-06-10T10:00:00.000Z',
    },
    {
      name: 'before the window opens',
      now: '2026-06-10T05:00:00Z',
      zone: 'Europe/Rome',
      window: nineToFive,
      expected: '2026-06-10T07:00:00.000Z',
    },
    {
      name: 'after it closes: the next day',
      now: '2026-06-10T16:00:00Z',
      zone: 'Europe/Rome',
      window: nineToFive,
      expected: '2026-06-11T07:00:00.000Z',
    },
    {
      name: 'the end is outside the window',
      now: '2026-06-10T15:00:00Z',
      zone: 'Europe/Rome',
      window: nineToFive,
      expected: '2026-06-11T07:00:00.000Z',
    },
    {
      name: 'weekdays roll over the weekend',
      now: '2026-06-12T16:00:00Z',
      zone: 'Europe/Rome',
      window: { ...nineToFive, weekdays: ['mon', 'wed'] },
      expected: '2026-06-15T07:00:00.000Z',
    },
    {
      name: 'Rome: across spring forward opens at 09:00 CEST',
      now: '2026-03-28T09:00:00Z',
      zone: 'Europe/Rome',
      window: { start: '09:00', end: '10:00' },
      expected: '2026-03-29T07:00:00.000Z',
    },
    {
      name: 'Rome: a window starting in the missing hour opens at 03:00 CEST',
      now: '2026-03-28T23:00:00Z',
      zone: 'Europe/Rome',
      window: { start: '02:00', end: '04:00' },
      expected: '2026-03-29T01:00:00.000Z',
    },
    {
      name: 'London: across fall back opens at 09:00 GMT',
      now: '2026-10-24T16:00:00Z',
      zone: 'Europe/London',
      window: nineToFive,
      expected: '2026-10-25T09:00:00.000Z',
    },
    {
      name: 'New York: across fall back opens at 10:00 EST',
      now: '2026-10-31T17:00:00Z',
      zone: 'America/New_York',
      window: { start: '10:00', end: '12:00' },
      expected: '2026-11-01T15:00:00.000Z',
    },
    {
      name: 'Los Angeles: across spring forward opens at 09:00 PDT',
      now: '2026-03-08T01:00:00Z',
      zone: 'America/Los_Angeles',
      window: nineToFive,
      expected: '2026-03-08T16:00:00.000Z',
    },
    {
      name: 'Kolkata: opens at 09:00 IST',
      now: '2026-06-10T00:00:00Z',
      zone: 'Asia/Kolkata',
      window: nineToFive,
      expected: '2026-06-10T03:30:00.000Z',
    },
  ];

  it.each(cases)('$name', ({ now, zone, window, expected }) => {
    expect(nextWindowTime(new Date(now), zone, window).toISOString()).toBe(expected);
  });

  it('moves a window wholly inside the hour a DST change skips to the next day', () => {
    const zone = 'Europe/Rome';
    const window = { start: '02:10', end: '02:50' };
    const at = nextWindowTime(new Date('2026-03-28T23:00:00Z'), zone, window);
    expect(DateTime.fromJSDate(at, { zone }).toFormat("yyyy-LL-dd'T'HH:mm")).toBe('2026-03-30T02:10');
  });

  it('rejects a window that starts when it ends', () => {
    const window = { start: '09:00', end: '09:00' };
    expect(() => nextWindowTime(new Date('2026-06-10T10:00:00Z'), 'UTC', window)).toThrow(RangeError);
  });

  // A window that wraps midnight, as quiet hours may: its part after midnight belongs to the day it opened.
  const lateNight: LocalWindow = { start: '22:00', end: '02:00' };
  it.each<{ name: string; now: string; window: LocalWindow; expected: string }>([
    {
      name: 'before it opens: at 22:00',
      now: '2026-06-10T12:00:00',
      window: lateNight,
      expected: '2026-06-10T22:00',
    },
    {
      name: 'after midnight, still open',
      now: '2026-06-11T01:30:00',
      window: lateNight,
      expected: '2026-06-11T01:30',
    },
    {
      name: 'at its end: the next evening',
      now: '2026-06-11T02:00:00',
      window: lateNight,
      expected: '2026-06-11T22:00',
    },
    {
      // Wed 10 June opens at 22:00 and runs to Thu 02:00; Thu 01:00 is Wednesday's window.
      name: 'on a weekday, after midnight of that day’s opening',
      now: '2026-06-11T01:00:00',
      window: { ...lateNight, weekdays: ['wed'] },
      expected: '2026-06-11T01:00',
    },
    {
      // Wed 01:00 belongs to Tuesday's window, which is not allowed: Wednesday's opens at 22:00.
      name: 'on a weekday, not the part of the day before',
      now: '2026-06-10T01:00:00',
      window: { ...lateNight, weekdays: ['wed'] },
      expected: '2026-06-10T22:00',
    },
  ])('wraps midnight: $name', ({ now, window, expected }) => {
    const zone = 'Europe/Berlin';
    const at = nextWindowTime(DateTime.fromISO(now, { zone }).toJSDate(), zone, window);
    expect(DateTime.fromJSDate(at, { zone }).toFormat("yyyy-LL-dd'T'HH:mm")).toBe(expected);
  });
});

describe('addDuration', () => {
  const cases: { name: string; instant: string; duration: string; zone?: string; expected: string }[] = [
    {
      name: 'P1D across spring forward keeps 09:00',
      instant: '2026-03-28T08:00:00Z',
      duration: 'P1D',
      zone: 'Europe/Rome',
      expected: '2026-03-29T07:00:00.000Z',
    },
    {
      name: 'PT24H across spring forward is elapsed time',
      instant: '2026-03-28T08:00:00Z',
      duration: 'PT24H',
      zone: 'Europe/Rome',
      expected: '2026-03-29T08:00:00.000Z',
    },
    {
      name: 'P1DT12H adds the day on the calendar, then the hours',
      instant: '2026-03-28T11:00:00Z',
      duration: 'P1DT12H',
      zone: 'Europe/Rome',
      expected: '2026-03-29T22:00:00.000Z',
    },
    {
      name: '-P1D across fall back keeps 09:00',
      instant: '2026-11-01T14:00:00Z',
      duration: '-P1D',
      zone: 'America/New_York',
      expected: '2026-10-31T13:00:00.000Z',
    },
    {
      name: 'P1W across the US spring forward',
      instant: '2026-03-05T17:00:00Z',
      duration: 'P1W',
      zone: 'America/Los_Angeles',
      expected: '2026-03-12T16:00:00.000Z',
    },
    {
      name: '-P3D in UTC by default',
      instant: '2026-12-04T09:00:00Z',
      duration: '-P3D',
      expected: '2026-12-01T09:00:00.000Z',
    },
    {
      name: 'P1M from January 31 ends on February 28',
      instant: '2026-01-31T10:00:00Z',
      duration: 'P1M',
      expected: '2026-02-28T10:00:00.000Z',
    },
    {
      name: 'a result in the missing hour moves forward by the gap',
      instant: '2026-03-28T01:30:00Z',
      duration: 'P1D',
      zone: 'Europe/Rome',
      expected: '2026-03-29T01:30:00.000Z',
    },
    {
      name: 'a result in the repeated hour keeps the starting offset',
      instant: '2026-10-31T05:30:00Z',
      duration: 'P1D',
      zone: 'America/New_York',
      expected: '2026-11-01T05:30:00.000Z',
    },
    {
      name: 'Kolkata has no DST: P1D is 24 hours',
      instant: '2026-03-28T08:00:00Z',
      duration: 'P1D',
      zone: 'Asia/Kolkata',
      expected: '2026-03-29T08:00:00.000Z',
    },
    {
      name: 'an unknown zone is read as UTC',
      instant: '2026-03-28T08:00:00Z',
      duration: 'P1D',
      zone: 'Nowhere/Land',
      expected: '2026-03-29T08:00:00.000Z',
    },
  ];

  it.each(cases)('$name', ({ instant, duration, zone, expected }) => {
    expect(addDuration(new Date(instant), duration, zone).toISOString()).toBe(expected);
  });

  it('rejects text that is not a duration', () => {
    expect(() => addDuration(new Date('2026-06-10T10:00:00Z'), '1 day')).toThrow(RangeError);
  });
});

describe('rollingWindowStart', () => {
  it.each([
    { duration: 'PT1H', now: '2026-06-10T10:00:00Z', expected: '2026-06-10T09:00:00.000Z' },
    { duration: 'P1D', now: '2026-03-29T10:00:00Z', expected: '2026-03-28T10:00:00.000Z' },
    { duration: 'P7D', now: '2026-06-10T10:00:00Z', expected: '2026-06-03T10:00:00.000Z' },
    { duration: 'P1M', now: '2026-03-31T10:00:00Z', expected: '2026-02-28T10:00:00.000Z' },
  ])('$duration before $now', ({ duration, now, expected }) => {
    expect(rollingWindowStart(new Date(now), duration).toISOString()).toBe(expected);
  });

  it.each(['-P1D', 'soon'])('rejects %s', (duration) => {
    expect(() => rollingWindowStart(new Date('2026-06-10T10:00:00Z'), duration)).toThrow(RangeError);
  });
});

describe('durationSeconds', () => {
  it.each([
    { text: 'PT1H', seconds: 3600 },
    { text: 'PT30M', seconds: 1800 },
    { text: 'PT1.5S', seconds: 2 },
    { text: 'P1D', seconds: 86_400 },
    { text: 'P1DT12H', seconds: 129_600 },
    { text: 'P1W', seconds: 604_800 },
    { text: 'P1M', seconds: 2_592_000 },
    { text: 'P1Y', seconds: MAX_EXECUTION_SECONDS },
    { text: '-P3D', seconds: -259_200 },
    { text: 'P', seconds: undefined },
    { text: 'PT', seconds: undefined },
    { text: '1 hour', seconds: undefined },
  ])('$text is $seconds seconds', ({ text, seconds }) => {
    expect(durationSeconds(text)).toBe(seconds);
  });
});

describe('isIsoDuration', () => {
  it.each([
    { text: 'PT1H', valid: true },
    { text: '-P3D', valid: true },
    { text: 'P1Y2M3W4DT5H6M7.5S', valid: true },
    { text: 'P', valid: false },
    { text: 'P1DT', valid: false },
    { text: 'pt1h', valid: false },
    { text: '+P1D', valid: false },
  ])('$text: $valid', ({ text, valid }) => {
    expect(isIsoDuration(text)).toBe(valid);
  });
});

describe('isValidTimeZone', () => {
  it.each([
    { zone: 'Europe/Rome', valid: true },
    { zone: 'America/New_York', valid: true },
    { zone: 'Asia/Kolkata', valid: true },
    { zone: 'UTC', valid: true },
    { zone: 'Mars/Olympus_Mons', valid: false },
    { zone: '', valid: false },
  ])('$zone: $valid', ({ zone, valid }) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });
});

describe('minutesOfDay', () => {
  it.each([
    { text: '00:00', minutes: 0 },
    { text: '08:00', minutes: 480 },
    { text: '21:30', minutes: 1290 },
    { text: '23:59', minutes: 1439 },
    { text: '24:00', minutes: undefined },
    { text: '8:00', minutes: undefined },
    { text: '08:60', minutes: undefined },
  ])('$text is $minutes', ({ text, minutes }) => {
    expect(minutesOfDay(text)).toBe(minutes);
  });
});

// ---------------------------------------------------------------- properties

const ZONES = [
  'UTC',
  'Europe/Rome',
  'Europe/London',
  'America/New_York',
  'America/Los_Angeles',
  'America/St_Johns',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
];
const WEEKDAY_BY_LUXON: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const hhmm = fc
  .record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.constantFrom(0, 15, 30, 45, 59) })
  .map(({ hour, minute }) => `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);

/** An oracle independent of the implementation: Luxon's own reading of the local time. */
function isAllowedByLuxon(at: Date, zone: string, quiet: QuietHours, days: Weekday[] | undefined): boolean {
  const local = DateTime.fromJSDate(at, { zone });
  const weekday = WEEKDAY_BY_LUXON[local.weekday - 1];
  if (days !== undefined && (weekday === undefined || !days.includes(weekday))) return false;
  const minute = local.hour * 60 + local.minute;
  const start = minutesOfDay(quiet.start) ?? 0;
  const end = minutesOfDay(quiet.end) ?? 0;
  if (start === end) return true;
  return start < end ? minute < start || minute >= end : minute < start && minute >= end;
}

describe('nextAllowedTime properties', () => {
  it('skips a week whose only allowed minutes a change to summer time removes', () => {
    // arrange: allowed only 02:45–03:00 on Sundays; on 2026-09-27 Chatham's clocks jump from 02:45 to 03:45
    const now = new Date('2026-09-19T14:15:00.000Z'); // Sunday 2026-09-20 03:00 in Chatham, just past the window
    // act
    const next = nextAllowedTime(now, 'Pacific/Chatham', { start: '03:00', end: '02:45' }, ['sun']);
    // assert: not the Sunday with no 02:45, the one after it (02:45 at +13:45)
    expect(next.toISOString()).toBe('2026-10-03T13:00:00.000Z');
  });

  it('is never before now, never quiet, the earliest such instant, and within 15 days', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2028-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom(...ZONES),
        fc.record({ start: hhmm, end: hhmm }),
        fc.option(fc.subarray(WEEKDAY_BY_LUXON, { minLength: 1 }), { nil: undefined }),
        (now, zone, quiet, days) => {
          // act
          const result = nextAllowedTime(now, zone, quiet, days);
          // assert
          expect(result.getTime()).toBeGreaterThanOrEqual(now.getTime());
          // A week's allowed minutes can all fall in a summer-time gap (the example above): two weeks at most.
          expect(result.getTime() - now.getTime()).toBeLessThanOrEqual(15 * 24 * 3600 * 1000);
          expect(isAllowedByLuxon(result, zone, quiet, days)).toBe(true);
          const justBefore = new Date(result.getTime() - 1);
          if (justBefore.getTime() >= now.getTime()) {
            expect(isAllowedByLuxon(justBefore, zone, quiet, days)).toBe(false);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('a local date-time in the hour a DST change repeats', () => {
  it('reads the second, later occurrence, as Luxon does', () => {
    const zone = 'Europe/Rome';
    const text = '2026-10-25T02:30:00';
    const luxon = DateTime.fromISO(text, { zone }).toJSDate().toISOString();
    expect(customerInstant(text, zone)?.toISOString()).toBe(luxon);
    expect(luxon).toBe('2026-10-25T01:30:00.000Z');
  });
});
