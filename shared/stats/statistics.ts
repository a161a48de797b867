/**
 * The statistics a results page needs, in plain functions:
 *
 * - a conversion rate with its 95% **Wilson score interval** (it stays inside
 *   0–100% and keeps its coverage for small samples and rates near 0 or 1,
 *   where the textbook Wald interval collapses to a point);
 * - the lift of a variant over the holdout, tested with the **pooled
 *   two-proportion z-test** (two-sided), which is the square root of the
 *   2×2 chi-square test without continuity correction;
 * - an explicit "too small to tell" rule: the z-test's normal approximation
 *   is trusted only when each group has at least MIN_CELL conversions and
 *   MIN_CELL non-conversions; otherwise no p-value is given;
 * - several variants against one holdout are k tests at once: their p-values
 *   are **Holm–Bonferroni** adjusted, so the chance that any of k identical
 *   variants is called better or worse stays at most 5%, not about k × 5%;
 * - the same comparison for a test looked at again and again until it is
 *   significant (an experiment `until: "significant"`): a **mixture sequential
 *   probability ratio test**, whose p-value stays valid however often it is
 *   read, where the fixed-sample z-test, repeated, finds a difference between
 *   identical variants sooner or later.
 */

/** The two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;
/** Significance level of the verdicts. */
const ALPHA = 0.05;
/** Fewest conversions and non-conversions per group for the z-test to apply. */
const MIN_CELL = 5;

export type Rate = { successes: number; trials: number; value: number; low: number; high: number };

/** A rate with its 95% Wilson score interval; undefined for no trials. */
export function wilson(successes: number, trials: number, z = Z95): Rate | undefined {
  if (trials <= 0 || successes < 0 || successes > trials) return undefined;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // Exact bounds at 0 and n: rounding must not leave the interval a hair off 0 or 1.
  return {
    successes,
    trials,
    value: p,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}

/**
 * The complementary error function, Chebyshev fit with fractional error below
 * 1.2e-7 everywhere (Press et al., Numerical Recipes, `erfcc`): p-values are
 * reported to 4 significant digits at most.
 */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const ans = t * Math.exp(-x * x + poly);
  return x >= 0 ? ans : 2 - ans;
}

/** Two-sided p-value of a standard normal statistic. */
export function twoSidedP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

export type Verdict = 'better' | 'worse' | 'no clear difference' | 'too small to tell';

export type Comparison = {
  /** Treatment rate minus control rate (percentage points / 100). */
  difference: number;
  /** Relative lift, (treatment − control) / control; undefined when control converts at 0. */
  lift?: number;
  /** Present only when the sample is large enough to tell. */
  z?: number;
  /** The p-value the verdict reads: Holm-adjusted when the test is one of several against one holdout. */
  p?: number;
  /** The single test's own p-value, before adjustment; present when adjusted (`family` above 1). */
  unadjustedP?: number;
  /** How many variants were compared with the same holdout (the family `p` is adjusted over). */
  family?: number;
  /** How many versions the comparison was made within (compareStrata), when more than one. */
  strata?: number;
  verdict: Verdict;
};

export type Group = { successes: number; trials: number };

/** True when both groups have at least MIN_CELL conversions and MIN_CELL non-conversions. */
function largeEnough(a: Group, b: Group): boolean {
  return [a, b].every((g) => g.successes >= MIN_CELL && g.trials - g.successes >= MIN_CELL);
}

/** Compares a treatment with a control (the holdout) by the pooled two-proportion z-test. */
export function compare(treatment: Group, control: Group): Comparison | undefined {
  if (treatment.trials <= 0 || control.trials <= 0) return undefined;
  const p1 = treatment.successes / treatment.trials;
  const p2 = control.successes / control.trials;
  const difference = p1 - p2;
  const lift = p2 === 0 ? undefined : difference / p2;
  const base = { difference, ...(lift === undefined ? {} : { lift }) };
  if (!largeEnough(treatment, control)) return { ...base, verdict: 'too small to tell' };
  const pooled = (treatment.successes + control.successes) / (treatment.trials + control.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / treatment.trials + 1 / control.trials));
  const z = difference / se;
  const p = twoSidedP(z);
  const verdict: Verdict = p >= ALPHA ? 'no clear difference' : z > 0 ? 'better' : 'worse';
  return { ...base, z, p, verdict };
}

/**
 * Holm–Bonferroni adjusted p-values of a family of tests, in the order given:
 * sorted ascending, the i-th smallest (from 0) is multiplied by k − i, and
 * each adjusted value is at least the one before it (step-down), at most 1.
 * Rejecting where the adjusted value is below α keeps the family-wise error
 * rate at α under any dependence between the tests (Holm 1979). A test
 * without a p-value (too small to tell) is a member that rejects nothing:
 * it counts as 1.
 */
export function holmAdjusted(ps: readonly (number | undefined)[]): number[] {
  const k = ps.length;
  const order = ps.map((p, i) => ({ p: p ?? 1, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(k).fill(1);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (k - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** One stratum of a comparison: the treatment and the control over the same time (a version of a journey). */
export type Stratum = { treatment: Group; control: Group };

function sum(groups: readonly Group[]): Group {
  return groups.reduce((t, g) => ({ successes: t.successes + g.successes, trials: t.trials + g.trials }), {
    successes: 0,
    trials: 0,
  });
}

/**
 * Compares a treatment with a control measured in several strata (the
 * versions of a journey, whose split weights may differ): the
 * Cochran–Mantel–Haenszel test, two-sided, with the Mantel–Haenszel risk
 * difference and risk ratio as the difference and lift. Pooling strata whose
 * treatment shares differ can show a difference where there is none
 * (Simpson's paradox: more customers treated in a season that converts
 * less); within each stratum both groups share the same time. Strata
 * missing either group tell nothing and are left out; with a single stratum
 * this is `compare`, the pooled z-test.
 */
export function compareStrata(strata: readonly Stratum[]): Comparison | undefined {
  const informative = strata.filter((s) => s.treatment.trials > 0 && s.control.trials > 0);
  const [first] = informative;
  if (first === undefined) return undefined;
  if (informative.length === 1) return compare(first.treatment, first.control);
  let difference = 0;
  let weights = 0;
  let ratioTop = 0;
  let ratioBottom = 0;
  let observed = 0;
  let expected = 0;
  let variance = 0;
  for (const { treatment: t, control: c } of informative) {
    const n = t.trials + c.trials;
    const converted = t.successes + c.successes;
    const w = (t.trials * c.trials) / n;
    difference += w * (t.successes / t.trials - c.successes / c.trials);
    weights += w;
    ratioTop += (t.successes * c.trials) / n;
    ratioBottom += (c.successes * t.trials) / n;
    observed += t.successes;
    expected += (t.trials * converted) / n;
    if (n > 1) variance += (t.trials * c.trials * converted * (n - converted)) / (n * n * (n - 1));
  }
  const base = {
    difference: difference / weights,
    ...(ratioBottom === 0 ? {} : { lift: ratioTop / ratioBottom - 1 }),
    strata: informative.length,
  };
  if (!largeEnough(sum(informative.map((s) => s.treatment)), sum(informative.map((s) => s.control))))
    return { ...base, verdict: 'too small to tell' };
  if (variance === 0) return { ...base, verdict: 'too small to tell' };
  const z = (observed - expected) / Math.sqrt(variance);
  const p = twoSidedP(z);
  const verdict: Verdict = p >= ALPHA ? 'no clear difference' : z > 0 ? 'better' : 'worse';
  return { ...base, z, p, verdict };
}

/**
 * The comparisons of several treatments with one control as one family:
 * p-values Holm-adjusted and the verdicts read from them (a single member is
 * left as it is).
 */
export function holmFamily(single: readonly (Comparison | undefined)[]): (Comparison | undefined)[] {
  const members = single.filter((c) => c !== undefined);
  if (members.length < 2) return [...single];
  const adjusted = holmAdjusted(members.map((c) => c.p));
  let next = 0;
  return single.map((c) => {
    if (c === undefined) return undefined;
    const p = adjusted[next++] ?? 1;
    if (c.p === undefined || c.z === undefined) return { ...c, family: members.length };
    const verdict: Verdict = p >= ALPHA ? 'no clear difference' : c.z > 0 ? 'better' : 'worse';
    return { ...c, p, unadjustedP: c.p, family: members.length, verdict };
  });
}

/**
 * Compares a treatment with a control by the mixture sequential probability
 * ratio test (Johari, Pekelis and Walsh, "Always valid inference", 2017) on
 * the pooled two-proportion statistic: the likelihood ratio of "the rates
 * differ by θ" against "they are equal", averaged over θ ~ N(0, τ²). Under
 * equal rates the chance that 1/Λ ever falls below α, at any of any number
 * of looks, is at most α; its p-value, min(1, 1/Λ), is "always valid".
 *
 * τ² is set so the test is most sensitive when each group has `planned`
 * entrants (the experiment's minimum sample): there Λ's evidence threshold
 * is lowest (Howard et al., "Time-uniform, nonparametric, nonasymptotic
 * confidence sequences", 2021, eq. 3.8). The price of looking any number of
 * times is a stricter bar than one fixed-sample test: |z| ≈ 3 instead of 1.96.
 */
export function sequentialCompare(
  treatment: Group,
  control: Group,
  planned: number,
  alpha: number,
): { z: number; p: number } | undefined {
  if (treatment.trials <= 0 || control.trials <= 0 || planned <= 0 || !largeEnough(treatment, control))
    return undefined;
  const pooled = (treatment.successes + control.successes) / (treatment.trials + control.trials);
  const inverse = 1 / treatment.trials + 1 / control.trials;
  const z =
    (treatment.successes / treatment.trials - control.successes / control.trials) /
    Math.sqrt(pooled * (1 - pooled) * inverse);
  // τ² over the statistic's variance: the same for any rate, so it rests on the sample sizes alone.
  const tuning = 2 * Math.log(1 / alpha) + Math.log(1 + 2 * Math.log(1 / alpha));
  const r = (tuning * (2 / planned)) / inverse;
  const logLambda = (z * z * r) / (2 * (1 + r)) - Math.log(1 + r) / 2;
  return { z, p: Math.min(1, Math.exp(-logLambda)) };
}
