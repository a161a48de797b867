import { edgesOf, reachableFrom } from './graph.ts';
import type { Journey } from './schema.ts';

/**
 * The split whose variants a message step's sends are counted by: the split
 * nearest before it (fewest steps back, then the journey's step order), or
 * undefined when no split comes before it. One split per step keeps the
 * step's counters bounded by that split's variants, whatever the journey's
 * number of splits; a step every variant reaches (the branches rejoin, or the
 * message follows the split) then reads per variant, which its step-wide
 * counters cannot tell.
 */
export function variantSplitOf(journey: Journey, stepId: string): string | undefined {
  const reachable = reachableFrom(journey.start, journey.steps);
  // Map: step ids are data.
  const before = new Map<string, string[]>();
  for (const id of reachable) {
    const step = journey.steps[id];
    if (step === undefined) continue;
    for (const edge of edgesOf(step)) before.set(edge.to, [...(before.get(edge.to) ?? []), id]);
  }
  const seen = new Set<string>([stepId]);
  let layer = [stepId];
  while (layer.length > 0) {
    const previous = layer.flatMap((id) => before.get(id) ?? []).filter((id) => !seen.has(id));
    const ordered = reachable.filter((id) => previous.includes(id));
    const split = ordered.find((id) => journey.steps[id]?.type === 'split');
    if (split !== undefined) return split;
    for (const id of ordered) seen.add(id);
    layer = ordered;
  }
  return undefined;
}
