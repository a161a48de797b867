import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addFolded,
  duePlans,
  FOLD_AFTER,
  newestDay,
  packDays,
  unpackDays,
} from '#functions/_lib/profile-day-history.ts';

const dayCounts = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 1, max: 5_000_000 })), {
    selector: ([day]) => day,
    maxLength: 120,
  })
  .map((pairs) => new Map(pairs));

describe('folded daily counts', () => {
  it('read back exactly what was packed', () => {
    fc.assert(
      fc.property(dayCounts, (days) => {
        expect(unpackDays(packDays(days))).toEqual(new Map([...days].sort((a, b) => a[0] - b[0])));
      }),
    );
  });

  it('take about two bytes per active day of a recent year', () => {
    // arrange: 91 consecutive days with counts under 128, as a daily-active customer has
    const days = new Map(Array.from({ length: 91 }, (_, i) => [20_400 + i, 1 + (i % 100)] as const));
    // act
    const packed = packDays(days);
    // assert: 3 bytes for the first day, then one for each gap and one for each count
    expect(packed.byteLength).toBe(3 + 1 + 90 * 2);
  });

  it('are refused when the value is not a folded list', () => {
    expect(unpackDays('20400')).toBeUndefined();
    expect(unpackDays(Uint8Array.from([0x80]))).toBeUndefined();
    expect(unpackDays(Uint8Array.from([5]))).toBeUndefined();
  });

  it('add up, dropping days past the kept window', () => {
    const a = packDays(
      new Map([
        [100, 2],
        [150, 1],
      ]),
    );
    const b = packDays(
      new Map([
        [10, 7],
        [150, 4],
      ]),
    );
    expect(unpackDays(addFolded(a, b, 160, 91))).toEqual(
      new Map([
        [100, 2],
        [150, 5],
      ]),
    );
    expect(newestDay(addFolded(a, undefined, 160, 91))).toBe(150);
  });
});

describe('which buckets a profile folds', () => {
  const code = (day: number) => day.toString(36);
  const dayOf = (c: string) => Number.parseInt(c, 36);

  it('folds a name once it has enough loose days before today, never today', () => {
    // arrange: 'Viewed' has FOLD_AFTER past days and today; 'Bought' fewer
    const today = 20_500;
    const item: Record<string, unknown> = { userId: 'u-1', [`d:Bought:${code(today - 1)}`]: 1 };
    for (let i = 0; i <= FOLD_AFTER; i++) item[`d:Viewed:${code(today - i)}`] = i + 1;
    item['dh:Viewed'] = packDays(
      new Map([
        [today - 30, 9],
        [today - 200, 4],
      ]),
    );
    // act
    const folds = duePlans(item, today, 91, dayOf);
    // assert
    expect(folds.map((f) => f.event)).toEqual(['Viewed']);
    const [fold] = folds;
    expect(fold?.loose.map((l) => l.key)).not.toContain(`d:Viewed:${code(today)}`);
    expect(fold?.loose).toHaveLength(FOLD_AFTER);
    const expected = new Map<number, number>([[today - 30, 9]]);
    for (let i = FOLD_AFTER; i >= 1; i--) expected.set(today - i, i + 1);
    expect(unpackDays(fold?.after)).toEqual(expected);
  });

  it('keeps a name with a user-controlled name such as __proto__ as data', () => {
    const today = 20_500;
    const item: Record<string, unknown> = {};
    for (let i = 1; i <= FOLD_AFTER; i++) item[`d:__proto__:${code(today - i)}`] = 1;
    const [fold] = duePlans(item, today, 91, dayOf);
    expect(fold?.event).toBe('__proto__');
    expect(unpackDays(fold?.after)?.size).toBe(FOLD_AFTER);
  });
});
