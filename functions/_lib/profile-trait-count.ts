import { MAX_TRAITS_PER_PROFILE } from '#shared/ingest/limits.ts';
import { isReservedTrait } from '#shared/ingest/reserved-traits.ts';
import type { UpdateBuilder } from './expression.ts';
import { attr, traitsOf } from './profile-item.ts';

/**
 * The count of traits (`tc`) that caps them per profile without a read on
 * the hot path. The reserved traits (email, phone, timezone, locale) are a
 * fixed set of bounded values the profile acts on: they always apply and are
 * not counted, so a customer at the cap can still change their address.
 */

/** The traits of a stored item that count toward MAX_TRAITS_PER_PROFILE (all but the reserved ones). */
export function countedTraits(item: Readonly<Record<string, unknown>> | undefined): Set<string> {
  const names = traitsOf(item);
  for (const name of names) if (isReservedTrait(name)) names.delete(name);
  return names;
}

/** True when a trait counts toward the cap. */
export function isCountedTrait(trait: string): boolean {
  return !isReservedTrait(trait);
}

/**
 * Writes a change of `delta` counted traits to an item read as `item` and
 * returns the conditions that keep the count exact: while the stored count
 * matches the item, an ADD held under the cap (concurrent writes each add
 * their own); when it does not (items written when reserved traits counted,
 * or before the count), the exact count is SET on the condition that the
 * stored one has not moved since the read.
 */
export function countTraits(
  b: UpdateBuilder,
  item: Readonly<Record<string, unknown>> | undefined,
  delta: number,
  adding: boolean,
): string[] {
  const stored = item?.[attr.traitCount];
  const counted = countedTraits(item).size;
  if (stored === counted || (stored === undefined && counted === 0)) {
    if (delta !== 0) b.add(attr.traitCount, delta);
    if (!adding) return [];
    const tc = b.name(attr.traitCount);
    return [`(attribute_not_exists(${tc}) OR ${tc} <= ${b.value(MAX_TRAITS_PER_PROFILE - delta)})`];
  }
  b.set(attr.traitCount, counted + delta);
  const tc = b.name(attr.traitCount);
  return [stored === undefined ? `attribute_not_exists(${tc})` : `${tc} = ${b.value(stored)}`];
}
