import type { Experiment } from '../journey/experiment.ts';
import { addDuration } from '../time.ts';
import { compare, sequentialCompare } from './statistics.ts';

/**
 * Whether an experiment on a split has ended and which variant won, from the
 * counters `journeys report` reads: entrants (`assigned`) and conversions
 * (`converted`) per variant. Pure; the caller records the decision once.
 *
 * The competitors are the variants that message (not the holdout) with a
 * share of entrants. Nothing is decided before each has `minSample`
 * entrants. The leader is the best conversion rate (declared order breaks a
 * tie, so the same counters always give the same winner). With
 * `until: "significant"` it wins once it is better than every other
 * competitor at the declared confidence by a sequential test, which stays
 * valid at every hourly look (a z-test repeated at each look would, given
 * time, crown one of two identical variants); with a duration it wins when
 * the window has passed, and the reason says whether the z-test, looked at
 * once then, found it significant.
 */

export type VariantCounts = {
  name: string;
  weight: number;
  holdout: boolean;
  assigned: number;
  converted: number;
};

type ExperimentDecision = {
  winner: string;
  /** When the decision was taken (ISO). */
  at: string;
  /** Why, in a sentence for the report and trace. */
  reason: string;
};

export type ExperimentVerdict =
  | { status: 'running'; reason: string }
  | { status: 'decided'; decision: ExperimentDecision };

function percent(c: VariantCounts): string {
  return `${((c.converted / c.assigned) * 100).toFixed(1)}% (${c.converted}/${c.assigned})`;
}

function rate(c: VariantCounts): number {
  return c.assigned === 0 ? 0 : c.converted / c.assigned;
}

/** The competitor with the best rate; the first declared among equals. */
function leaderOf(competitors: readonly VariantCounts[]): VariantCounts | undefined {
  return competitors.reduce<VariantCounts | undefined>(
    (best, c) => (best === undefined || rate(c) > rate(best) ? c : best),
    undefined,
  );
}

type Test = (leader: VariantCounts, other: VariantCounts) => { z?: number; p?: number } | undefined;

/** The fixed-sample z-test: right for one look, at the end of a test window. */
const once: Test = (leader, other) =>
  compare(
    { successes: leader.converted, trials: leader.assigned },
    { successes: other.converted, trials: other.assigned },
  );

/** The sequential test: right for a decision looked at every hour until it comes. */
function always(experiment: Experiment): Test {
  return (leader, other) =>
    sequentialCompare(
      { successes: leader.converted, trials: leader.assigned },
      { successes: other.converted, trials: other.assigned },
      experiment.minSample,
      1 - experiment.confidence,
    );
}

/** The largest p-value of the leader against each other competitor, or undefined when one is not better. */
function worstP(
  leader: VariantCounts,
  others: readonly VariantCounts[],
  alpha: number,
  test: Test,
): number | undefined {
  let worst = 0;
  for (const other of others) {
    const result = test(leader, other);
    if (result?.z === undefined || result.p === undefined || result.z <= 0 || result.p >= alpha)
      return undefined;
    worst = Math.max(worst, result.p);
  }
  return worst;
}

/**
 * Judges an experiment at `now`.
 *
 * @param experiment - the split's declaration
 * @param startedAt - when this experiment began (its first deploy, ISO)
 * @param variants - every variant of the split with its counters
 */
export function judgeExperiment(
  experiment: Experiment,
  startedAt: string,
  variants: readonly VariantCounts[],
  now: Date,
): ExperimentVerdict {
  const competitors = variants.filter((v) => !v.holdout && v.weight > 0);
  const short = competitors.filter((c) => c.assigned < experiment.minSample);
  if (short.length > 0) {
    const list = short.map((c) => `${c.name} ${c.assigned}`).join(', ');
    return {
      status: 'running',
      reason: `waiting for ${experiment.minSample} entrants per variant (${list})`,
    };
  }
  const leader = leaderOf(competitors);
  if (leader === undefined) return { status: 'running', reason: 'no variant competes' };
  const others = competitors.filter((c) => c !== leader);
  const at = now.toISOString();
  if (experiment.until === 'significant') {
    const p = worstP(leader, others, 1 - experiment.confidence, always(experiment));
    if (p === undefined)
      return {
        status: 'running',
        reason: `${leader.name} leads at ${percent(leader)}, not yet significantly`,
      };
    const vs = others.map((o) => `${o.name} ${percent(o)}`).join(', ');
    const reason = `${leader.name} converts at ${percent(leader)}, better than ${vs} at ${experiment.confidence * 100}% confidence (p = ${p.toPrecision(2)})`;
    return { status: 'decided', decision: { winner: leader.name, at, reason } };
  }
  const endsAt = addDuration(new Date(startedAt), experiment.until);
  if (now < endsAt) return { status: 'running', reason: `the test window ends ${endsAt.toISOString()}` };
  const significant = worstP(leader, others, 1 - experiment.confidence, once) !== undefined;
  const reason = `the ${experiment.until} test window ended; ${leader.name} led at ${percent(leader)}${significant ? `, significantly at ${experiment.confidence * 100}% confidence` : ', not significantly'}`;
  return { status: 'decided', decision: { winner: leader.name, at, reason } };
}
