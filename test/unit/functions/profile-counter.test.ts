import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storedNumber } from '#functions/_lib/clients/dynamo.ts';
import { packSeen, seenBase, unpackSeen } from '#functions/_lib/profile-counter.ts';

describe('an event counter packed with its first-seen time', () => {
  it.each([
    { first: '2026-11-24T10:00:00.123Z', count: 1 },
    { first: '2026-11-24T10:00:00.000Z', count: 999_999_999 },
    { first: '1969-12-31T23:59:59.999Z', count: 3 },
    { first: '1970-01-01T00:00:00.000Z', count: 7 },
  ])('unpacks $count since $first', ({ first, count }) => {
    // arrange
    const firstMs = Date.parse(first);
    // act
    const stored = packSeen(count, firstMs);
    // assert: as the document client returns it (a number when it is a safe integer)
    const returned = Number.isSafeInteger(Number(stored)) ? Number(stored) : stored;
    expect(unpackSeen(returned)).toEqual({ count, firstMs });
  });

  it('counts like DynamoDB does it: the first occurrence sets the base, each adds one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2_000_000_000_000, max: 9_000_000_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (firstMs, count) => {
          // act: if_not_exists(seen, base) + 1, `count` times
          let stored: bigint | undefined;
          for (let i = 0; i < Math.min(count, 3); i++) stored = (stored ?? seenBase(firstMs)) + 1n;
          stored = (stored ?? 0n) + BigInt(count - Math.min(count, 3));
          // assert
          expect(unpackSeen(stored)).toEqual({ count, firstMs });
        },
      ),
    );
  });

  it('unpacks what the document client reads back, a BigInt or a double whose digits it is', () => {
    // Round values (no count yet, a round count at a round time) are a double's digits and read back as that double.
    const round = [
      { firstMs: Date.parse('2026-03-02T10:00:00Z'), count: 0 },
      { firstMs: Date.parse('2000-01-01T00:00:00Z'), count: 0 },
      { firstMs: Date.parse('1999-06-01T00:00:00Z'), count: 500_000_000 },
    ];
    for (const { firstMs, count } of round) {
      const read = storedNumber(String(packSeen(count, firstMs)));
      expect(typeof read).toBe('number');
      expect(unpackSeen(read)).toEqual({ count, firstMs });
    }
    fc.assert(
      fc.property(
        fc.integer({ min: -2_000_000_000_000, max: 9_000_000_000_000 }),
        fc.oneof(
          fc.integer({ min: 0, max: 999_999_999 }),
          fc.integer({ min: 0, max: 9 }).map((n) => n * 100_000_000),
        ),
        fc.integer({ min: 0, max: 12 }).map((n) => 10 ** n),
        (ms, count, round) => {
          const firstMs = ms - (ms % round);
          expect(unpackSeen(storedNumber(String(packSeen(count, firstMs))))).toEqual({ count, firstMs });
        },
      ),
    );
  });

  it('reads nothing from what is not a packed counter', () => {
    expect(unpackSeen('12')).toBeUndefined();
    expect(unpackSeen(1.5)).toBeUndefined();
    expect(unpackSeen(undefined)).toBeUndefined();
  });
});
