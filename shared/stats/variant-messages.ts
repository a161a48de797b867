import { reachableFrom } from '../journey/graph.ts';
import type { Journey } from '../journey/schema.ts';
import { variantSplitOf } from '../journey/variant-split.ts';
import type { CounterKey } from './keys.ts';

/** A variant's message outcomes: sent and failed, and deferrals by reason code. */
export type MessageCounts = { sent: number; failed: number; deferred: Record<string, number> };

/** A step's messages per variant of the split it counts by, where more than one variant reaches it. */
export type StepVariants = { split: string; messages: (MessageCounts & { variant: string })[] };

type Counted = CounterKey & { count: number };

const METRICS: ReadonlySet<string> = new Set(['sent', 'failed', 'deferred']);

/** The message step a counted step id belongs to: a fallback's state (`<step>.fallback1`) counts for its step. */
function ownerOf(stepId: string): string {
  return stepId.split('.')[0] ?? stepId;
}

function empty(): MessageCounts {
  return { sent: 0, failed: 0, deferred: Object.create(null) as Record<string, number> };
}

function add(into: MessageCounts, c: Counted): void {
  if (c.metric === 'sent') into.sent += c.count;
  else if (c.metric === 'failed') into.failed += c.count;
  else if (c.reason !== undefined) into.deferred[c.reason] = (into.deferred[c.reason] ?? 0) + c.count;
}

/**
 * The sends counted per variant (send-message adds them beside the step's own, by the split
 * `variantSplitOf` names for the step), by split, then by step, then by variant. Maps: step ids and
 * variant names are data. Counters of a step the journey no longer has, or that no split comes
 * before now, are left out: which split they were counted by cannot be told.
 */
export function variantMessages(
  journey: Journey,
  counters: readonly Counted[],
): Map<string, Map<string, Map<string, MessageCounts>>> {
  const splitOf = new Map<string, string | undefined>();
  const out = new Map<string, Map<string, Map<string, MessageCounts>>>();
  for (const c of counters) {
    if (c.variant === undefined || c.stepId === undefined || !METRICS.has(c.metric)) continue;
    const owner = ownerOf(c.stepId);
    const type = Object.hasOwn(journey.steps, owner) ? journey.steps[owner]?.type : undefined;
    if (type !== 'email' && type !== 'sms' && type !== 'push') continue;
    if (!splitOf.has(owner)) splitOf.set(owner, variantSplitOf(journey, owner));
    const split = splitOf.get(owner);
    if (split === undefined) continue;
    const steps = out.get(split) ?? new Map<string, Map<string, MessageCounts>>();
    out.set(split, steps);
    const variants = steps.get(c.stepId) ?? new Map<string, MessageCounts>();
    steps.set(c.stepId, variants);
    const counts = variants.get(c.variant) ?? empty();
    variants.set(c.variant, counts);
    add(counts, c);
  }
  return out;
}

/** A split's variants' messages over every step counted by it; undefined when none was counted per variant. */
export function splitMessages(
  byStep: ReadonlyMap<string, ReadonlyMap<string, MessageCounts>> | undefined,
  variant: string,
): MessageCounts | undefined {
  let total: MessageCounts | undefined;
  for (const variants of byStep?.values() ?? []) {
    const counts = variants.get(variant);
    if (counts === undefined) continue;
    total ??= empty();
    total.sent += counts.sent;
    total.failed += counts.failed;
    for (const [reason, n] of Object.entries(counts.deferred))
      total.deferred[reason] = (total.deferred[reason] ?? 0) + n;
  }
  return total;
}

/** The steps more than one of a split's variants leads to (their branches rejoin, or they follow the split). */
function sharedSteps(journey: Journey, split: string): Set<string> {
  const step = journey.steps[split];
  const shared = new Set<string>();
  if (step?.type !== 'split') return shared;
  const reached = new Map<string, number>();
  for (const v of step.variants)
    for (const id of reachableFrom(v.next, journey.steps)) reached.set(id, (reached.get(id) ?? 0) + 1);
  for (const [id, n] of reached) if (n > 1) shared.add(id);
  return shared;
}

/** Each journey's shared steps per split, worked out once per report rather than once per step. */
const sharedCache = new WeakMap<Journey, Map<string, Set<string>>>();

function shared(journey: Journey, split: string, stepId: string): boolean {
  const splits = sharedCache.get(journey) ?? new Map<string, Set<string>>();
  sharedCache.set(journey, splits);
  const steps = splits.get(split) ?? sharedSteps(journey, split);
  splits.set(split, steps);
  return steps.has(ownerOf(stepId));
}

/** A shared step's messages per variant, in the split's order (variants it no longer declares last). */
export function stepVariants(
  journey: Journey,
  messages: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, MessageCounts>>>,
  stepId: string,
): StepVariants | undefined {
  for (const [split, byStep] of messages) {
    const variants = byStep.get(stepId);
    if (variants === undefined || !shared(journey, split, stepId)) continue;
    const step = journey.steps[split];
    const declared = step?.type === 'split' ? step.variants.map((v) => v.name) : [];
    const names = [
      ...declared.filter((n) => variants.has(n)),
      ...[...variants.keys()].filter((n) => !declared.includes(n)),
    ];
    return { split, messages: names.map((variant) => ({ variant, ...(variants.get(variant) ?? empty()) })) };
  }
  return undefined;
}
