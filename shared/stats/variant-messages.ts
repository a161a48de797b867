import type { Channel } from '../channels.ts';
import { fallbackChain } from '../journey/compile/fallback.ts';
import { reachableFrom } from '../journey/graph.ts';
import type { Journey } from '../journey/schema.ts';
import { variantSplitOf } from '../journey/variant-split.ts';
import type { CounterKey } from './keys.ts';
import { REASON_CODES } from './reasons.ts';

/**
 * A variant's message outcomes: sent (and of those, how many on each channel), failed, and
 * deferrals by reason code.
 */
export type MessageCounts = {
  sent: number;
  channels: Record<Channel, number>;
  failed: number;
  deferred: Record<string, number>;
};

/** A step's messages per variant of the split it counts by, where more than one variant reaches it. */
export type StepVariants = { split: string; messages: (MessageCounts & { variant: string })[] };

/** A counter as any reader has it: which version counted it does not matter here. */
type Counted = Omit<CounterKey, 'version'> & { count: number };

const METRICS: ReadonlySet<string> = new Set(['sent', 'failed', 'deferred']);

/** The message step a counted step id belongs to: a fallback's state (`<step>.fallback1`) counts for its step. */
function ownerOf(stepId: string): string {
  return stepId.split('.')[0] ?? stepId;
}

/** No message: a variant that sent nothing, or a step it never reached. */
export function noMessages(): MessageCounts {
  return {
    sent: 0,
    channels: { email: 0, sms: 0, push: 0 },
    failed: 0,
    deferred: Object.create(null) as Record<string, number>,
  };
}

/** The channel a counted step id sends on: its message step's, or its fallback message's (`<step>.fallback<n>`). */
function channelOf(journey: Journey, stepId: string): Channel | undefined {
  const owner = ownerOf(stepId);
  const step = Object.hasOwn(journey.steps, owner) ? journey.steps[owner] : undefined;
  if (step?.type !== 'email' && step?.type !== 'sms' && step?.type !== 'push') return undefined;
  if (stepId === owner || step.fallback === undefined) return step.type;
  const chain = fallbackChain(owner, { ...step, fallback: step.fallback });
  return chain.find(([id]) => id === stepId)?.[1].type;
}

function add(into: MessageCounts, c: Counted, channel: Channel | undefined): void {
  if (c.metric === 'sent') {
    into.sent += c.count;
    if (channel !== undefined) into.channels[channel] += c.count;
  } else if (c.metric === 'failed') into.failed += c.count;
  else if (c.reason !== undefined) into.deferred[c.reason] = (into.deferred[c.reason] ?? 0) + c.count;
}

type ByStep = Map<string, Map<string, MessageCounts>>;

/**
 * The sends counted per variant (send-message adds them beside the step's own, by the split
 * `variantSplitOf` names for the step), by split, then by step, then by variant. Maps: step ids and
 * variant names are data. Counters of a step the journey no longer has, or that no split comes
 * before now, are left out: which split they were counted by cannot be told.
 */
function variantMessages(journey: Journey, counters: readonly Counted[]): Map<string, ByStep> {
  const splitOf = new Map<string, string | undefined>();
  const channels = new Map<string, Channel | undefined>();
  const out = new Map<string, ByStep>();
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
    const counts = variants.get(c.variant) ?? noMessages();
    variants.set(c.variant, counts);
    if (!channels.has(c.stepId)) channels.set(c.stepId, channelOf(journey, c.stepId));
    add(counts, c, channels.get(c.stepId));
  }
  return out;
}

/** A split's variants' messages over every step counted by it; a variant with none counted is absent. */
function splitMessages(byStep: ByStep): Map<string, MessageCounts> {
  const out = new Map<string, MessageCounts>();
  for (const variants of byStep.values())
    for (const [variant, counts] of variants) {
      const total = out.get(variant) ?? noMessages();
      out.set(variant, total);
      total.sent += counts.sent;
      for (const [channel, n] of Object.entries(counts.channels)) total.channels[channel as Channel] += n;
      total.failed += counts.failed;
      for (const [reason, n] of Object.entries(counts.deferred))
        total.deferred[reason] = (total.deferred[reason] ?? 0) + n;
    }
  return out;
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

/** A shared step's messages per variant, in the split's order (variants it no longer declares last). */
function stepVariants(
  journey: Journey,
  split: string,
  variants: ReadonlyMap<string, MessageCounts>,
): StepVariants {
  const step = journey.steps[split];
  const declared = step?.type === 'split' ? step.variants.map((v) => v.name) : [];
  const names = [
    ...declared.filter((n) => variants.has(n)),
    ...[...variants.keys()].filter((n) => !declared.includes(n)),
  ];
  return {
    split,
    messages: names.map((variant) => ({ variant, ...(variants.get(variant) ?? noMessages()) })),
  };
}

/** Reasons in their code's order, then any other by name: the same order whatever order they were counted in. */
function ordered(deferred: Record<string, number>): Record<string, number> {
  const known: readonly string[] = REASON_CODES;
  const rank = (r: string) => (known.includes(r) ? known.indexOf(r) : known.length);
  const out = Object.create(null) as Record<string, number>;
  const reasons = Object.keys(deferred).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const reason of reasons) out[reason] = deferred[reason] ?? 0;
  return out;
}

/** Where a counted step id comes in the journey: its message step's place, a fallback right after it. */
function stepOrder(journey: Journey): (a: string, b: string) => number {
  const ids = Object.keys(journey.steps);
  const at = (id: string) => ids.indexOf(ownerOf(id));
  return (a, b) => at(a) - at(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Messages per variant, as the report and the forecast show them: for each split counted by, each
 * variant's messages over every step after it (`splits`: split → variant → counts; a variant with
 * none counted is absent), and per variant each step more than one of its variants reaches
 * (`steps`: step id → its split and counts, in the journey's step order). Reasons keep one order.
 */
export function variantMessageRows(
  journey: Journey,
  counters: readonly Counted[],
): { splits: Map<string, Map<string, MessageCounts>>; steps: Map<string, StepVariants> } {
  const messages = variantMessages(journey, counters);
  for (const byStep of messages.values())
    for (const variants of byStep.values())
      for (const counts of variants.values()) counts.deferred = ordered(counts.deferred);
  const splits = new Map([...messages].map(([split, byStep]) => [split, splitMessages(byStep)] as const));
  for (const variants of splits.values())
    for (const counts of variants.values()) counts.deferred = ordered(counts.deferred);
  const steps = new Map<string, StepVariants>();
  for (const [split, byStep] of messages) {
    const shared = sharedSteps(journey, split);
    for (const stepId of [...byStep.keys()].sort(stepOrder(journey))) {
      const variants = byStep.get(stepId);
      if (variants !== undefined && shared.has(ownerOf(stepId)))
        steps.set(stepId, stepVariants(journey, split, variants));
    }
  }
  return { splits, steps };
}

/** A variant's row: its name, marked as the report marks it, and its messages (none counted: zeros). */
export type VariantMessagesRow = { variant: string; holdout?: true; removed?: true; messages: MessageCounts };

/** One split's messages per variant, as every surface lays it out: its variants, then the steps they share. */
export type VariantMessagesSection = {
  split: string;
  variants: VariantMessagesRow[];
  steps: ({ step: string } & StepVariants)[];
};

type SplitVariants = {
  stepId: string;
  variants: readonly { name: string; holdout: boolean; removed?: true; messages?: MessageCounts }[];
};

/**
 * The sections of "Messages per variant": one per split whose variants' sends were counted, with
 * every variant listed (in the order given) and each step those variants share (in the order given).
 */
export function variantMessageSections(
  splits: readonly SplitVariants[],
  steps: readonly { stepId: string; variants?: StepVariants }[],
): VariantMessagesSection[] {
  return splits
    .filter((split) => split.variants.some((v) => v.messages !== undefined))
    .map((split) => ({
      split: split.stepId,
      variants: split.variants.map((v) => ({
        variant: v.name,
        ...(v.holdout ? { holdout: true as const } : {}),
        ...(v.removed ? { removed: true as const } : {}),
        messages: v.messages ?? noMessages(),
      })),
      steps: steps.flatMap((s) =>
        s.variants?.split === split.stepId ? [{ step: s.stepId, ...s.variants }] : [],
      ),
    }));
}
