import type { Channel } from '../channels.ts';
import type { ExperimentState } from '../ingest/experiments.ts';
import { fallbackChain } from '../journey/compile/fallback.ts';
import { ENTRY_SKIP_REASONS, type EntrySkipReason } from '../journey/entry/entries.ts';
import { edgesOf } from '../journey/graph.ts';
import { type Journey, STAGES, type Step } from '../journey/schema.ts';
import { type EngagementFigure, engagementOf } from './engagement.ts';
import { type ExperimentResult, experimentResults } from './experiment-report.ts';
import { failureKind, failureLabel } from './failures.ts';
import { everyDay } from './format.ts';
import {
  COUNTER_METRICS,
  type CounterKey,
  type DayKey,
  OUTCOMES,
  type Outcome,
  outcomeMetric,
} from './keys.ts';
import { type Comparison, compareStrata, type Group, holmFamily, type Rate, wilson } from './statistics.ts';
import { type MessageCounts, type StepVariants, variantMessageRows } from './variant-messages.ts';

/**
 * The results of one journey, built from its counters and its definition:
 * what `journeys report` prints, writes as JSON and draws as HTML. Pure.
 *
 * Variants are compared by assignment (intent to treat): every enrollment is
 * assigned its variant when it enters, and counts in that variant's
 * denominator whether or not it reached the split. Randomisation then makes
 * the holdout comparison fair even when a branch before the split keeps some
 * customers away from it.
 */

/**
 * `sum`: the values counted (money), when any; `valued`: how many of the counts carried one (an
 * average is over these), absent when not known — a sum written before that number was kept.
 */
export type Counter = CounterKey & { count: number; sum?: number; valued?: number };
export type DayCounter = DayKey & { count: number; sum?: number; valued?: number };

/**
 * Absent when no version's goal measures a value (no `goal.value`): nothing was measured, not 0.00.
 * Rounded to the cent, so the JSON gives the amounts the text and the page print.
 */
type Money = { revenue?: number; aov?: number; perRecipient?: number };

export type VariantResult = {
  name: string;
  holdout: boolean;
  /** Drawn by an earlier version only: shown so the table adds up, never compared (it ran at another time). */
  removed?: true;
  assigned: number;
  converted: number;
  rate?: Rate;
  money: Money;
  /** Against the split's holdout; absent for the holdout itself or a split without one. */
  vsHoldout?: Comparison;
  outcomes: Record<Outcome, number>;
  /** Assigned less every ending counted: enrollments of the variant still running. */
  inFlight: number;
  /** Its messages at every step counted by this split (absent: none was counted per variant). */
  messages?: MessageCounts;
};

export type StepResult = {
  stepId: string;
  /** `removed`: a step of an earlier version that the current one no longer has (its counts still happened). */
  type: Step['type'] | 'removed';
  label?: string;
  /** Lane on the map: the step's lifecycle stage (steps without one take their predecessor's). */
  stage: string;
  /** Column on the map: the fewest steps from the start. */
  depth: number;
  /** Customers who reached the step, where the counters can tell. */
  reached?: number;
  /**
   * Enrollments that began at the step: those of the versions whose start it was (every version
   * counts its entries with its start step), whatever the current definition's start is. On a step
   * the current version reaches along its edges, a part of its reach that the counters tell.
   */
  entered?: number;
  /** Message outcomes and other per-step counters by metric (sent, suppressed, opened, converted...). */
  counts: Record<string, number>;
  /** Suppressions and deferrals by reason code. */
  reasons: { metric: string; reason: string; count: number }[];
  /** Its failures by kind (the `failed.<kind>` counts), each with what it means (failures.ts). */
  failures: { kind: string; label: string; count: number }[];
  /** A message step's delivered, opened and clicked, with their shares (engagement.ts): per step only. */
  engagement?: EngagementFigure[];
  /** A message step more than one variant reaches: its messages per variant. */
  variants?: StepVariants;
};

/** `name`: the part of the label a journey file names (a variant, a branch), which the label begins with. */
type EdgeResult = { from: string; to: string; label?: string; name?: string; share?: number };

export type DayResult = { day: string; sent: Record<Channel, number>; converted: number };

export type JourneyReport = {
  journeyId: string;
  /** The lanes of the map, in lifecycle order. */
  stages: string[];
  name: string;
  versions: string[];
  enrolled: number;
  /** Triggers that would have enrolled but were kept out, by reason (ENTRY_SKIP_REASONS). */
  skipped: Record<EntrySkipReason, number>;
  /**
   * Entries counted before each version's start step was recorded with them: the current start step
   * is taken as theirs (its `reached` includes them), which is right only if no edit moved the start.
   */
  enteredAtUnknownStep: number;
  converted: number;
  /** False when conversions are not measured: the journey has no goal (nor had one that converted anyone). */
  goal: boolean;
  rate?: Rate;
  money: Money;
  outcomes: Record<Outcome, number>;
  /** Enrolled less every ending counted: enrollments still running (waiting, deferred). */
  inFlight: number;
  steps: StepResult[];
  edges: EdgeResult[];
  splits: { stepId: string; variants: VariantResult[] }[];
  /** The experiments on its splits: declared, running or ended, with the winner and why. */
  experiments: ExperimentResult[];
  days: DayResult[];
  /** Messages sent per channel over the days counted (`days`: each day's counters are kept 400 days), with conversions. */
  totals: { sent: Record<Channel, number>; converted: number };
  /**
   * Versions whose results have expired (kept two years and two days after a
   * version stopped taking entries): none of their counts is in this report.
   */
  expired: ExpiredResults[];
};

/** A retired version whose counters are gone, and when they expired (ISO time). */
export type ExpiredResults = { version: string; expiredAt: string };

/** A retired version and when its results expire (epoch seconds), as the stats table notes it. */
export type RetiredVersion = { version: string; expiresAt: number };

/** The retired versions of which no counter is left: their results expired (the TTL removed them). */
function expiredResults(counters: readonly Counter[], retired: readonly RetiredVersion[]): ExpiredResults[] {
  const counted = new Set(counters.map((c) => c.version));
  return retired
    .filter((r) => !counted.has(r.version))
    .map((r) => ({ version: r.version, expiredAt: new Date(r.expiresAt * 1000).toISOString() }))
    .sort((a, b) => Number(a.version) - Number(b.version));
}

/** `valued`: undefined when some of the sum is of values whose number is not known. */
type Totals = { count: number; sum: number; valued: number | undefined };

/** Sums counters matching a key (all versions). */
class Tally {
  private readonly totals = new Map<string, Totals>();
  /** The counters of each step, so a step's reasons and variants are found without reading every counter. */
  private readonly byStep = new Map<string, Counter[]>();

  /** Whether conversions are counted: the journey has a goal, or a version had one that converted someone. */
  readonly measuresGoal: boolean;
  /** Whether conversions carry a value: the goal names one, or a version's did (its sums are kept). */
  readonly measuresValue: boolean;

  constructor(counters: readonly Counter[], goal: Journey['goal']) {
    const converted = counters.filter((c) => c.metric === 'converted');
    this.measuresGoal = goal !== undefined || converted.some((c) => c.count > 0);
    this.measuresValue =
      goal?.value !== undefined || converted.some((c) => (c.sum ?? 0) !== 0 || (c.valued ?? 0) > 0);
    for (const c of counters) {
      const key = Tally.key(c.metric, c.stepId, c.variant);
      const t = this.totals.get(key) ?? { count: 0, sum: 0, valued: 0 };
      t.count += c.count;
      t.sum += c.sum ?? 0;
      // A counter without a sum carried no value; one with a sum but no number of values cannot tell.
      const valued = c.sum === undefined ? 0 : c.valued;
      t.valued = t.valued === undefined || valued === undefined ? undefined : t.valued + valued;
      this.totals.set(key, t);
      if (c.stepId === undefined) continue;
      const list = this.byStep.get(c.stepId);
      if (list === undefined) this.byStep.set(c.stepId, [c]);
      else list.push(c);
    }
  }

  /** The counters naming a step (every version). */
  ofStep(stepId: string): readonly Counter[] {
    return this.byStep.get(stepId) ?? [];
  }

  static key(metric: string, stepId?: string, variant?: string): string {
    return JSON.stringify([metric, stepId ?? null, variant ?? null]);
  }

  get(metric: string, stepId?: string, variant?: string): Totals {
    return this.totals.get(Tally.key(metric, stepId, variant)) ?? { count: 0, sum: 0, valued: 0 };
  }

  outcomes(stepId?: string, variant?: string): Record<Outcome, number> {
    const entries = OUTCOMES.map((o) => [o, this.get(outcomeMetric(o), stepId, variant).count] as const);
    return Object.fromEntries(entries) as Record<Outcome, number>;
  }

  /**
   * The endings of the enrollments counted in `entered`, and how many of those have not ended. Every
   * enrollment counts its entry once and its ending once, for the journey and each variant alike; an
   * ending counted a moment before its entry's count (a retry settling both) reads as none in flight,
   * never fewer than none.
   */
  endings(entered: number, stepId?: string, variant?: string) {
    const outcomes = this.outcomes(stepId, variant);
    const ended = OUTCOMES.reduce((n, o) => n + outcomes[o], 0);
    return { outcomes, inFlight: Math.max(0, entered - ended) };
  }
}

/**
 * Money to the cent, as the text and the page print it: sums of amounts such as 17.96 carry binary
 * fractions (53.879999999999995), which JSON would print as they are.
 */
function cents(value: number): number {
  const rounded = Math.round(value * 100) / 100;
  return rounded === 0 ? 0 : rounded;
}

/**
 * Revenue, the average over the conversions that carried a value (none: "—", not 0.00; their number
 * not known, from counters written before it was kept: "—" too, never a guess), and revenue per recipient.
 */
function money(converted: Totals, recipients: number, measured: boolean): Money {
  if (!measured) return {};
  const revenue = converted.sum;
  const valued = converted.valued;
  return {
    revenue: cents(revenue),
    ...(valued !== undefined && valued > 0 ? { aov: cents(revenue / valued) } : {}),
    ...(recipients > 0 ? { perRecipient: cents(revenue / recipients) } : {}),
  };
}

const NO_STAGE = 'journey';

/** The fewest steps from the start to each step, and each step's lane (breadth first). */
function layout(journey: Journey): Map<string, { depth: number; stage: string }> {
  const first = journey.steps[journey.start]?.stage ?? NO_STAGE;
  const at = new Map([[journey.start, { depth: 0, stage: first }]]);
  const queue = [journey.start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const step = journey.steps[id];
    const here = at.get(id);
    if (step === undefined || here === undefined) continue;
    for (const edge of edgesOf(step)) {
      if (at.has(edge.to)) continue;
      at.set(edge.to, { depth: here.depth + 1, stage: journey.steps[edge.to]?.stage ?? here.stage });
      queue.push(edge.to);
    }
  }
  return at;
}

/** A message step's final outcomes, one per customer who reached it (a failure is counted once, when no retry is left). */
const MESSAGE_FINAL = ['sent', 'suppressed', 'unknown', 'failed'] as const;
/** The counters a step reports: every counter but the journey-level entry ones. */
const JOURNEY_METRICS: ReadonlySet<string> = new Set(['enrolled', 'assigned', 'entrySkipped']);
const KNOWN_ORDER = new Map<string, number>(COUNTER_METRICS.map((metric, i) => [metric, i]));

/**
 * Every metric counted at a step but for its variants' (a split's assigned,
 * converted and endings, shown in its table): the known ones in their order,
 * then the rest by name — a failure on data (`failed.ProfileValue`), a push
 * token's outcome — so nothing the functions count is left out.
 */
function stepMetrics(counters: readonly Counter[]): string[] {
  const metrics = new Set<string>();
  for (const c of counters)
    if (c.variant === undefined && !JOURNEY_METRICS.has(c.metric)) metrics.add(c.metric);
  const rank = (m: string) => KNOWN_ORDER.get(m) ?? COUNTER_METRICS.length;
  return [...metrics].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The failures among a step's counts, in their order, each with its label (a kind without one keeps its name). */
function failuresOf(counts: Record<string, number>): StepResult['failures'] {
  return Object.entries(counts).flatMap(([metric, count]) => {
    const kind = failureKind(metric);
    return kind === undefined ? [] : [{ kind, label: failureLabel(kind), count }];
  });
}

function stepResult(
  id: string,
  step: Step,
  place: { depth: number; stage: string },
  tally: Tally,
): StepResult {
  const counts: Record<string, number> = {};
  for (const metric of stepMetrics(tally.ofStep(id))) {
    const n = tally.get(metric, id).count;
    if (n > 0) counts[metric] = n;
  }
  const reasons = new Map<string, { metric: string; reason: string; count: number }>();
  for (const c of tally.ofStep(id)) {
    // A variant's share of the step's reasons is told apart (`variants`), not added in again.
    if (c.reason === undefined || c.variant !== undefined) continue;
    const key = `${c.metric}\u0000${c.reason}`;
    const r = reasons.get(key) ?? { metric: c.metric, reason: c.reason, count: 0 };
    r.count += c.count;
    reasons.set(key, r);
  }
  let reached: number | undefined;
  let engagement: EngagementFigure[] | undefined;
  if (step.type === 'email' || step.type === 'sms' || step.type === 'push') {
    // A deferred send is tried again later: only final outcomes count the customer once.
    reached = MESSAGE_FINAL.reduce((n, m) => n + tally.get(m, id).count, 0);
    // Counted customers per step come from the message counters alone.
    for (const m of MESSAGE_FINAL) counts[m] = tally.get(m, id).count;
    engagement = engagementOf(step.type, counts);
  } else if (step.type === 'split') {
    // Assigned at entry, whether or not the customer gets this far (a branch or a wait may end the
    // enrollment first): the split tells its assignments, and how many reached it only as the start.
    const assigned = tally.ofStep(id).reduce((n, c) => (c.metric === 'assigned' ? n + c.count : n), 0);
    if (assigned > 0) counts.assigned = assigned;
  }
  return {
    stepId: id,
    type: step.type,
    ...(step.label === undefined ? {} : { label: step.label }),
    ...place,
    ...(reached === undefined ? {} : { reached }),
    counts,
    reasons: [...reasons.values()],
    failures: failuresOf(counts),
    ...(engagement === undefined ? {} : { engagement }),
  };
}

/** Every step id the counters name, in first-seen order (journey-level counters name none). */
function countedStepIds(counters: readonly Counter[]): string[] {
  return [...new Set(counters.flatMap((c) => (c.stepId === undefined ? [] : [c.stepId])))];
}

/**
 * The messages a step's `fallback` sends, by the id their counters carry
 * (`<step>.fallback<n>`, as the compiler names them), as message steps.
 */
function fallbackSteps(journey: Journey): Map<string, { of: string; n: number; step: Step }> {
  const out = new Map<string, { of: string; n: number; step: Step }>();
  for (const [id, step] of Object.entries(journey.steps)) {
    if ((step.type !== 'email' && step.type !== 'sms' && step.type !== 'push') || step.fallback === undefined)
      continue;
    for (const [n, [stateId, message]] of fallbackChain(id, { ...step, fallback: step.fallback }).entries())
      if (n > 0) out.set(stateId, { of: id, n, step: message });
  }
  return out;
}

/**
 * Results for the ids the counters name that are not steps of the current
 * version: a fallback message (placed beside its step) or a step an earlier
 * version had (removed or renamed since, placed after the last column), so
 * every message counted shows in the report.
 */
function otherSteps(
  journey: Journey,
  known: ReadonlyMap<string, StepResult>,
  tally: Tally,
  counters: readonly Counter[],
): StepResult[] {
  const fallbacks = fallbackSteps(journey);
  const lastColumn = Math.max(0, ...[...known.values()].map((s) => s.depth)) + 1;
  const out: StepResult[] = [];
  for (const id of countedStepIds(counters)) {
    if (known.has(id)) continue;
    const fallback = fallbacks.get(id);
    if (fallback !== undefined) {
      const owner = known.get(fallback.of);
      const place = { depth: owner?.depth ?? 0, stage: owner?.stage ?? NO_STAGE };
      const result = stepResult(id, fallback.step, place, tally);
      out.push({ ...result, label: `${fallback.of}: fallback ${fallback.n}` });
      continue;
    }
    const removed = stepResult(id, { type: 'exit' }, { depth: lastColumn, stage: NO_STAGE }, tally);
    const messages = MESSAGE_FINAL.reduce((n, m) => n + tally.get(m, id).count, 0);
    const { reached: _none, ...rest } = removed;
    out.push({ ...rest, type: 'removed', ...(messages > 0 ? { reached: messages } : {}) });
  }
  return out;
}

/**
 * The edges of the current definition, each with the share of customers that took it where the
 * counters tell. `byEntries`: the steps whose reach is their entries (buildReport).
 */
function edgeResults(
  journey: Journey,
  steps: Map<string, StepResult>,
  tally: Tally,
  byEntries: ReadonlySet<string>,
): EdgeResult[] {
  // The entry is a way into the start step too.
  const incoming = new Map<string, number>([[journey.start, 1]]);
  for (const step of Object.values(journey.steps)) {
    for (const e of edgesOf(step)) incoming.set(e.to, (incoming.get(e.to) ?? 0) + 1);
  }
  // A step reached by entries counts nothing of its own: another way in (a loop back to the start, an
  // edge to a step an earlier version began at) passes it uncounted, so what left it, or came along
  // its one edge, cannot be told as a share of that.
  const edgesIn = (id: string) => (incoming.get(id) ?? 0) - (id === journey.start ? 1 : 0);
  const entriesOnly = (id: string) => byEntries.has(id) && edgesIn(id) > 0;
  const edges: EdgeResult[] = [];
  for (const [from, step] of Object.entries(journey.steps)) {
    const source = entriesOnly(from) ? undefined : steps.get(from)?.reached;
    // A split's edges show the draw: each variant's share of the customers assigned its variants.
    const drawn =
      step.type === 'split'
        ? step.variants.reduce((n, v) => n + tally.get('assigned', from, v.name).count, 0)
        : 0;
    for (const [i, e] of edgesOf(step).entries()) {
      let share: number | undefined;
      if (step.type === 'split') {
        const variant = step.variants[i];
        const assigned = variant === undefined ? 0 : tally.get('assigned', from, variant.name).count;
        share = drawn ? assigned / drawn : undefined;
      } else if (step.type === 'waitForEvent' && e.to === step.onEvent && source) {
        share = tally.get('eventReceived', from).count / source;
      } else {
        // Only a step with one way in tells how many came along this edge (its entries are not that).
        const target = byEntries.has(e.to) ? undefined : steps.get(e.to)?.reached;
        if (source && target !== undefined && incoming.get(e.to) === 1) share = Math.min(1, target / source);
      }
      const name =
        step.type === 'split'
          ? step.variants[i]?.name
          : step.type === 'branch'
            ? step.branches[i]?.name
            : undefined;
      edges.push({
        from,
        to: e.to,
        ...(e.label === undefined ? {} : { label: e.label }),
        ...(name === undefined || !e.label?.startsWith(name) ? {} : { name }),
        ...(share === undefined ? {} : { share }),
      });
    }
  }
  return edges;
}

/** The days' messages per channel and conversions, added up. */
function dayTotals(days: readonly DayResult[]): JourneyReport['totals'] {
  const totals = { sent: { email: 0, sms: 0, push: 0 }, converted: 0 };
  for (const d of days) {
    totals.sent.email += d.sent.email;
    totals.sent.sms += d.sent.sms;
    totals.sent.push += d.sent.push;
    totals.converted += d.converted;
  }
  return totals;
}

function dayResults(days: readonly DayCounter[]): DayResult[] {
  const byDay = new Map<string, DayResult>();
  for (const d of days) {
    const row = byDay.get(d.day) ?? { day: d.day, sent: { email: 0, sms: 0, push: 0 }, converted: 0 };
    if (d.metric === 'sent' && (d.channel === 'email' || d.channel === 'sms' || d.channel === 'push')) {
      row.sent[d.channel] += d.count;
    }
    if (d.metric === 'converted') row.converted += d.count;
    byDay.set(d.day, row);
  }
  const sorted = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  // Every day from the first to the last keeps its place, a day with nothing as zeros: the JSON
  // lists the days the text table and the page's chart show.
  return everyDay(sorted, (day) => ({ day, sent: { email: 0, sms: 0, push: 0 }, converted: 0 }));
}

type SplitGroup = { v: { name: string; holdout: boolean } };

/** A variant's entrants and conversions per version (the strata a comparison keeps apart). */
function byVersion(tally: Tally, stepId: string, variant: string): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const c of tally.ofStep(stepId)) {
    if (c.variant !== variant || (c.metric !== 'assigned' && c.metric !== 'converted')) continue;
    const g = out.get(c.version) ?? { successes: 0, trials: 0 };
    if (c.metric === 'assigned') g.trials += c.count;
    else g.successes += c.count;
    out.set(c.version, g);
  }
  return out;
}

/**
 * Each variant against the split's holdout (none for a holdout itself, or
 * without one): every variant that messages is one test of the same family,
 * Holm-adjusted together. A split with several holdouts has one control
 * group, all of them together: a holdout is never compared with another.
 * Each version is a stratum (compareStrata): a version that changed the
 * weights ran at another time, so variant and holdout are compared within
 * each version, never across them.
 */
function holdoutComparisons(
  stepId: string,
  groups: readonly SplitGroup[],
  tally: Tally,
): (Comparison | undefined)[] {
  const holdouts = groups.filter((g) => g.v.holdout);
  if (holdouts.length === 0) return groups.map(() => undefined);
  const control = new Map<string, Group>();
  for (const h of holdouts)
    for (const [version, g] of byVersion(tally, stepId, h.v.name)) {
      const into = control.get(version) ?? { successes: 0, trials: 0 };
      control.set(version, { successes: into.successes + g.successes, trials: into.trials + g.trials });
    }
  const treated = groups.filter((g) => !g.v.holdout);
  const compared = holmFamily(
    treated.map((g) => {
      const strata = [...byVersion(tally, stepId, g.v.name)].map(([version, treatment]) => ({
        treatment,
        control: control.get(version) ?? { successes: 0, trials: 0 },
      }));
      return compareStrata(strata);
    }),
  );
  return groups.map((g) => (g.v.holdout ? undefined : compared[treated.indexOf(g)]));
}

function splitResults(
  journey: Journey,
  tally: Tally,
  counters: readonly Counter[],
  messages: VariantMessages,
): JourneyReport['splits'] {
  const splits: JourneyReport['splits'] = [];
  for (const [stepId, step] of Object.entries(journey.steps)) {
    if (step.type !== 'split') continue;
    const groups = step.variants.map((v) => {
      const assigned = tally.get('assigned', stepId, v.name).count;
      const converted = tally.get('converted', stepId, v.name);
      return { v, assigned, converted };
    });
    const vsHoldout = holdoutComparisons(stepId, groups, tally);
    const variants = groups.map(({ v, assigned, converted }, i): VariantResult => {
      // Without a goal nobody can convert: no rate, nothing to compare.
      const rate = tally.measuresGoal ? wilson(converted.count, assigned) : undefined;
      const comparison = tally.measuresGoal ? vsHoldout[i] : undefined;
      return {
        name: v.name,
        holdout: v.holdout,
        assigned,
        converted: converted.count,
        ...(rate === undefined ? {} : { rate }),
        money: money(converted, assigned, tally.measuresValue),
        ...(comparison === undefined ? {} : { vsHoldout: comparison }),
        ...tally.endings(assigned, stepId, v.name),
        ...messagesOf(messages, stepId, v.name),
      };
    });
    splits.push({
      stepId,
      variants: [...variants, ...removedVariants(stepId, step.variants, tally, messages)],
    });
  }
  // A split an earlier version had: its variants still have customers assigned.
  for (const stepId of countedStepIds(counters.filter((c) => c.metric === 'assigned'))) {
    if (journey.steps[stepId]?.type === 'split') continue;
    splits.push({ stepId, variants: removedVariants(stepId, [], tally, messages) });
  }
  return splits;
}

/** The variants counted at a split that its current version does not declare (removed or renamed). */
function removedVariants(
  stepId: string,
  declared: readonly { name: string }[],
  tally: Tally,
  messages: VariantMessages,
): VariantResult[] {
  const names = new Set(
    tally
      .ofStep(stepId)
      .flatMap((c) => (c.metric === 'assigned' && c.variant !== undefined ? [c.variant] : [])),
  );
  for (const v of declared) names.delete(v.name);
  return [...names].map((name) => {
    const assigned = tally.get('assigned', stepId, name).count;
    const converted = tally.get('converted', stepId, name);
    const rate = tally.measuresGoal ? wilson(converted.count, assigned) : undefined;
    return {
      name,
      holdout: false,
      removed: true,
      assigned,
      converted: converted.count,
      ...(rate === undefined ? {} : { rate }),
      money: money(converted, assigned, tally.measuresValue),
      ...tally.endings(assigned, stepId, name),
      ...messagesOf(messages, stepId, name),
    };
  });
}

type VariantMessages = ReturnType<typeof variantMessageRows>;

function messagesOf(messages: VariantMessages, split: string, variant: string): { messages?: MessageCounts } {
  const counts = messages.splits.get(split)?.get(variant);
  return counts === undefined ? {} : { messages: counts };
}

function stageOrder(stage: string): number {
  const order: readonly string[] = STAGES;
  const i = order.indexOf(stage);
  return i === -1 ? STAGES.length : i;
}

/**
 * The entries of each step that was a version's start (`enrolled` names it: keys.ts), and the
 * entries counted before the start was recorded with them (`unknown`).
 */
function entriesByStart(counters: readonly Counter[]): { byStep: Map<string, number>; unknown: number } {
  const byStep = new Map<string, number>();
  let unknown = 0;
  for (const c of counters) {
    if (c.metric !== 'enrolled' || c.stepId !== undefined || c.variant !== undefined) continue;
    if (c.reason === undefined) unknown += c.count;
    else byStep.set(c.reason, (byStep.get(c.reason) ?? 0) + c.count);
  }
  return { byStep, unknown };
}

/**
 * Each step's entries (`entered`: those of the versions that began there), and the current start
 * step's reach where the counters tell nothing else (a message step counts its own messages): the
 * entries that began there. Another step an earlier version began at is also reached along the
 * current definition's edges, uncounted: its entries are given, never as its reach. Entries that
 * name no start are taken as the current start's. Returns the steps whose reach was set so.
 */
function reachByEntries(journey: Journey, steps: Map<string, StepResult>, counters: readonly Counter[]) {
  const { byStep, unknown } = entriesByStart(counters);
  if (unknown > 0) byStep.set(journey.start, (byStep.get(journey.start) ?? 0) + unknown);
  const set = new Set<string>();
  for (const [stepId, entered] of byStep) {
    const step = steps.get(stepId);
    if (step === undefined || entered === 0) continue;
    step.entered = entered;
    if (step.reached !== undefined || stepId !== journey.start) continue;
    step.reached = entered;
    set.add(stepId);
  }
  return { byEntries: set, unknown };
}

function skippedEntries(counters: readonly Counter[]): Record<EntrySkipReason, number> {
  const out: Record<EntrySkipReason, number> = { limit: 0, tooOld: 0, context: 0, missing: 0, tooLarge: 0 };
  for (const c of counters) {
    const reason = ENTRY_SKIP_REASONS.find((r) => r === c.reason);
    if (c.metric === 'entrySkipped' && c.stepId === undefined && reason !== undefined) out[reason] += c.count;
  }
  return out;
}

/**
 * The report of a journey from its counters (every version summed), per-day
 * counters and the recorded state of its experiments (from the registry;
 * undefined when it was not read).
 */
export function buildReport(
  journey: Journey,
  counters: readonly Counter[],
  days: readonly DayCounter[],
  experiments?: readonly ExperimentState[],
  retired: readonly RetiredVersion[] = [],
): JourneyReport {
  const tally = new Tally(counters, journey.goal);
  const places = layout(journey);
  const enrolled = tally.get('enrolled').count;
  const converted = tally.get('converted');
  const steps = new Map<string, StepResult>();
  for (const [id, step] of Object.entries(journey.steps)) {
    steps.set(id, stepResult(id, step, places.get(id) ?? { depth: 0, stage: NO_STAGE }, tally));
  }
  for (const other of otherSteps(journey, steps, tally, counters)) steps.set(other.stepId, other);
  const messages = variantMessageRows(journey, counters);
  for (const step of steps.values()) {
    const variants = messages.steps.get(step.stepId);
    if (variants !== undefined) step.variants = variants;
  }
  // Every enrollment begins at its version's start step: after an edit moved the start, each step
  // that was one is reached by its own versions' entries, not by every version's.
  const { byEntries, unknown } = reachByEntries(journey, steps, counters);
  const rate = tally.measuresGoal ? wilson(converted.count, enrolled) : undefined;
  const byDay = dayResults(days);
  return {
    journeyId: journey.id,
    name: journey.name,
    stages: [...new Set([...steps.values()].map((s) => s.stage))].sort(
      (a, b) => stageOrder(a) - stageOrder(b),
    ),
    versions: [...new Set(counters.map((c) => c.version))].sort((a, b) => Number(a) - Number(b)),
    enrolled,
    skipped: skippedEntries(counters),
    enteredAtUnknownStep: unknown,
    converted: converted.count,
    goal: tally.measuresGoal,
    ...(rate === undefined ? {} : { rate }),
    money: money(converted, enrolled, tally.measuresValue),
    ...tally.endings(enrolled),
    steps: [...steps.values()],
    edges: edgeResults(journey, steps, tally, byEntries),
    splits: splitResults(journey, tally, counters, messages),
    experiments: experimentResults(journey, experiments),
    days: byDay,
    totals: dayTotals(byDay),
    expired: expiredResults(counters, retired),
  };
}
