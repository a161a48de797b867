import type { Enrollment } from '#shared/ingest/plan.ts';
import { PerRuntime } from './runtime-scope.ts';

/**
 * Variants fixed in advance for given customers at given split steps: how a
 * test plays one arm of an experiment without hunting for a customer id that
 * hashes into it (`journeys test` scenarios, through the local runtime). A
 * deployed function never has pins: every customer draws their own bucket
 * (splitBucket), as before.
 */

/** Customer id → split step id → variant name. */
export type VariantPins = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** Per runtime where one process runs several (runtime-scope.ts): a scenario's pins are its runtime's alone. */
const current = new PerRuntime<VariantPins>();

/** Pins variants for the customers given (the local runtime, for a scenario), in the current runtime scope. */
export function setVariantPins(pins: VariantPins): void {
  current.value = pins.size === 0 ? undefined : pins;
}

/** No pins in the current runtime scope: every customer draws their bucket. */
export function resetVariantPins(): void {
  current.value = undefined;
}

/**
 * The enrollment with the customer's pinned variants: at each pinned split
 * of the journey, the first bucket the variant owns (a variant of weight 0
 * owns none and stays as drawn). Without pins, the enrollment as drawn.
 */
export function withPinnedVariants(plan: Enrollment, userId: string): Enrollment {
  const pinned = current.value?.get(userId);
  if (pinned === undefined) return plan;
  const buckets = { ...plan.buckets };
  for (const [stepId, name] of pinned) {
    const variants = Object.hasOwn(plan.journey.splits, stepId) ? plan.journey.splits[stepId] : undefined;
    const index = variants?.findIndex((v) => v.name === name) ?? -1;
    if (variants === undefined || index < 0 || (variants[index]?.weight ?? 0) <= 0) continue;
    buckets[stepId] = variants.slice(0, index).reduce((from, v) => from + v.weight, 0);
  }
  return { ...plan, buckets };
}
