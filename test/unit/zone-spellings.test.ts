import { afterEach, describe, expect, it } from 'vitest';
import { isValidTimeZone, nextAllowedTime } from '#shared/time.ts';

/**
 * Customers' events name their time zone, and `Intl` reads a zone name
 * without regard to ASCII case. A warm function that kept one formatter (and
 * its ICU memory, ~17 KB) per spelling would grow with every new spelling an
 * event stream sends: 2^30 spellings of one long zone name exhaust any
 * Lambda's memory. It keeps one per zone.
 */

/** The `n`th spelling of `name`: each ASCII letter upper or lower case by the bits of `n`. */
function spelling(name: string, n: number): string {
  let letter = 0;
  return [...name]
    .map((c) => {
      if (!/[a-z]/i.test(c)) return c;
      const upper = (n >> (letter++ % 30)) & 1;
      return upper ? c.toUpperCase() : c.toLowerCase();
    })
    .join('');
}

describe('a time zone spelt in any case', () => {
  const original = Intl.DateTimeFormat;
  afterEach(() => {
    Intl.DateTimeFormat = original;
  });

  /** Counts the formatters made from now on. */
  function countFormatters(): { made: number } {
    const count = { made: 0 };
    Intl.DateTimeFormat = new Proxy(original, {
      construct(target, args, newTarget) {
        count.made++;
        return Reflect.construct(target, args, newTarget);
      },
    });
    return count;
  }

  it('is the zone, timed as its canonical spelling is', () => {
    const quiet = { start: '21:00', end: '08:00' };
    const at = new Date('2026-03-29T20:30:00Z');
    const canonical = nextAllowedTime(at, 'America/Argentina/ComodRivadavia', quiet).toISOString();
    for (const n of [0, 1, 0x2aaaaaaa, 0x3fffffff]) {
      const name = spelling('America/Argentina/ComodRivadavia', n);
      expect(isValidTimeZone(name)).toBe(true);
      expect(nextAllowedTime(at, name, quiet).toISOString()).toBe(canonical);
    }
  });

  it('costs one formatter however many spellings arrive', () => {
    const count = countFormatters();
    const quiet = { start: '22:00', end: '07:00' };
    const at = new Date('2026-10-25T00:30:00Z');
    const times = new Set<string>();
    for (let n = 0; n < 2000; n++) {
      const name = spelling('Australia/Lord_Howe', n * 7919);
      expect(isValidTimeZone(name)).toBe(true);
      times.add(nextAllowedTime(at, name, quiet).toISOString());
    }
    expect(times.size).toBe(1);
    expect(count.made).toBeLessThanOrEqual(1);
  });

  it('is still refused when it is no zone at all, whatever its case', () => {
    expect(isValidTimeZone('Europe/Atlantis')).toBe(false);
    expect(isValidTimeZone('EUROPE/ATLANTIS')).toBe(false);
    // A letter that lower-cases to ASCII outside ASCII (the Kelvin sign) is not the zone's letter.
    expect(isValidTimeZone('Asia/\u212Aolkata')).toBe(false);
  });
});
