/**
 * An event name's all-time count and first-seen time, packed in one number:
 * `first × 10⁹ + count`. One attribute instead of two halves what the name
 * costs on the item (the name is stored with every attribute), and one update
 * keeps both exact without a read: `if_not_exists(seen, first × 10⁹) + 1`
 * sets the first-seen time on the first occurrence and counts every one.
 *
 * The value passes 2⁵³, so the document client returns it as a BigInt (and
 * writes one as a DynamoDB number, which holds 38 digits), or, when its
 * digits happen to be a double's written out in full, as that double, whose
 * full text is the stored value again (`storedNumber`). A count past 10⁹
 * for one event name would carry into the first-seen time by a millisecond.
 */

import { integerText } from '#shared/number-text.ts';

const SCALE = 1_000_000_000n;

/** The value the attribute starts from when an event name is first seen at `atMs`. */
export function seenBase(atMs: number): bigint {
  return BigInt(Math.trunc(atMs)) * SCALE;
}

/** Packs a count and a first-seen time (epoch ms), as the migration of older layouts needs. */
export function packSeen(count: number, firstMs: number): bigint {
  return seenBase(firstMs) + BigInt(Math.max(0, Math.trunc(count)));
}

/** The count and first-seen time (epoch ms) of a stored value; undefined when it is not one. */
export function unpackSeen(value: unknown): { count: number; firstMs: number } | undefined {
  let packed: bigint;
  if (typeof value === 'bigint') packed = value;
  else if (typeof value === 'number' && Number.isInteger(value)) packed = BigInt(integerText(value));
  else return undefined;
  // Floor division, so first-seen times before 1970 (negative) unpack too.
  let first = packed / SCALE;
  let count = packed % SCALE;
  if (count < 0n) {
    first -= 1n;
    count += SCALE;
  }
  return { count: Number(count), firstMs: Number(first) };
}
