import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { zoneOf } from '#shared/time/zone.ts';

/**
 * A zone's offsets are kept per UTC hour once asked: around every DST
 * transition of a year, minute by minute and in an order that fills the
 * cache from both sides of each transition, they must stay Luxon's.
 */

const ZONES = [
  'Europe/Rome',
  'America/New_York',
  'Australia/Lord_Howe', // 30-minute DST shift at 02:00 local
  'Australia/Adelaide', // +9:30 / +10:30: transitions on the half hour UTC
  'Pacific/Chatham', // +12:45 / +13:45
  'America/St_Johns', // -3:30 / -2:30
  'Africa/Casablanca', // suspended for Ramadan
];

const MINUTE = 60_000;
const STEP = 60 * MINUTE;
const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_END = Date.UTC(2027, 0, 1);

/** Instants of a year an hour apart, and every minute (and a few odd seconds) within two hours of a transition. */
function instantsAround(zone: IANAZone): number[] {
  const instants: number[] = [];
  for (let t = YEAR_START; t < YEAR_END; t += STEP) {
    instants.push(t);
    if (zone.offset(t) === zone.offset(t + STEP)) continue;
    for (let m = t - 2 * 60 * MINUTE; m <= t + 2 * 60 * MINUTE; m += MINUTE)
      instants.push(m, m + 29_999, m + 59_999);
  }
  return instants;
}

/** A fixed shuffle: neighbours of a transition are asked in no particular order. */
function shuffled<T>(items: T[]): T[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('zone offsets kept per hour', () => {
  for (const name of ZONES)
    it(`agree with Luxon in ${name} around each of its 2026 transitions`, () => {
      // arrange
      const reference = IANAZone.create(name);
      const zone = zoneOf(name);
      const instants = shuffled(instantsAround(reference));
      // act
      const wrong = instants.filter((t) => zone.offsetMinutes(t) !== reference.offset(t));
      // assert
      expect(wrong.map((t) => new Date(t).toISOString())).toEqual([]);
    });
});
