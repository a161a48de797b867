import { describe, expect, it } from 'vitest';
import {
  compare,
  compareStrata,
  sequentialCompare,
  twoSidedP,
  wilson,
  Z95,
} from '#shared/stats/statistics.ts';

/**
 * Known values come from outside the module under test: Newcombe (1998),
 * "Two-sided confidence intervals for the single proportion", Table I
 * (Wilson score method), standard normal quantiles, and second
 * implementations below that share no code with it.
 */

/** Standard normal two-sided tail by Simpson's rule on the density (no erfc). */
function tailBySimpson(z: number): number {
  const a = Math.abs(z);
  const b = a + 40;
  const n = 20_000;
  const h = (b - a) / n;
  const f = (x: number) => Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += f(a + i * h) * (i % 2 === 0 ? 2 : 4);
  return 2 * ((sum * h) / 3);
}

/** The Wilson interval as what it is: the p whose score test is exactly at z, found by bisection. */
function wilsonByInversion(x: number, n: number): [number, number] {
  const phat = x / n;
  const score = (p: number) => Math.abs(phat - p) / Math.sqrt((p * (1 - p)) / n) - Z95;
  const root = (lo: number, hi: number) => {
    let [a, b] = [lo, hi];
    for (let i = 0; i < 200; i++) {
      const m = (a + b) / 2;
      if (score(m) > 0 === score(a) > 0) a = m;
      else b = m;
    }
    return (a + b) / 2;
  };
  const eps = 1e-12;
  return [x === 0 ? 0 : root(eps, phat), x === n ? 1 : root(phat, 1 - eps)];
}

/** z from the 2×2 chi-square statistic without continuity correction (z² = χ²). */
function zByChiSquare(a: number, n1: number, b: number, n2: number): number {
  const [c, d] = [n1 - a, n2 - b];
  const total = n1 + n2;
  const chi2 = (total * (a * d - b * c) ** 2) / (n1 * n2 * (a + b) * (c + d));
  return Math.sign(a / n1 - b / n2) * Math.sqrt(chi2);
}

describe('wilson: 95% score interval', () => {
  it.each([
    // Newcombe (1998), Table I, method 3 (score, no continuity correction)
    { x: 81, n: 263, low: 0.2553, high: 0.3662 },
    { x: 15, n: 148, low: 0.0624, high: 0.1605 },
    { x: 0, n: 20, low: 0, high: 0.1611 },
    { x: 1, n: 29, low: 0.0061, high: 0.1718 },
  ])('$x of $n → [$low, $high]', ({ x, n, low, high }) => {
    const rate = wilson(x, n);
    expect(rate?.low).toBeCloseTo(low, 4);
    expect(rate?.high).toBeCloseTo(high, 4);
  });

  it.each([
    [0, 1],
    [1, 1],
    [1, 2],
    [3, 4],
    [7, 9],
    [152, 600],
    [1, 10_000],
  ])('tiny and large samples: %i of %i matches the inverted score test', (x, n) => {
    const rate = wilson(x, n);
    const [low, high] = wilsonByInversion(x, n);
    expect(rate?.low).toBeCloseTo(low, 7);
    expect(rate?.high).toBeCloseTo(high, 7);
    expect(rate?.value).toBe(x / n);
  });

  it('has no interval for no trials, or more successes than trials', () => {
    expect(wilson(0, 0)).toBeUndefined();
    expect(wilson(3, 2)).toBeUndefined();
  });
});

describe('two-sided p-values', () => {
  it.each([
    { z: 1.959964, p: 0.05 },
    { z: 2.575829, p: 0.01 },
    { z: 3.290527, p: 0.001 },
    { z: 0, p: 1 },
    { z: -1.644854, p: 0.1 },
  ])('z = $z → p = $p (normal quantiles)', ({ z, p }) => {
    expect(twoSidedP(z)).toBeCloseTo(p, 6);
  });

  it.each([0.3, 1.1, 2.2, 3.34, 4.5])('z = %f agrees with integrating the density', (z) => {
    const expected = tailBySimpson(z);
    expect(Math.abs(twoSidedP(z) - expected) / expected).toBeLessThan(1e-6);
  });
});

describe('compare: lift against the holdout', () => {
  it.each([
    { a: 67, n1: 200, b: 6, n2: 55 },
    { a: 182, n1: 543, b: 6, n2: 57 },
    { a: 30, n1: 300, b: 28, n2: 310 },
    { a: 10, n1: 100, b: 25, n2: 100 },
  ])('$a/$n1 vs $b/$n2: z and p as the chi-square test gives them', ({ a, n1, b, n2 }) => {
    const result = compare({ successes: a, trials: n1 }, { successes: b, trials: n2 });
    const z = zByChiSquare(a, n1, b, n2);
    expect(result?.z).toBeCloseTo(z, 9);
    expect(result?.p).toBeCloseTo(tailBySimpson(z), 6);
    expect(result?.difference).toBeCloseTo(a / n1 - b / n2, 12);
    expect(result?.lift).toBeCloseTo((a / n1 - b / n2) / (b / n2), 12);
  });

  it('says which way a clear difference goes, and when there is none', () => {
    expect(compare({ successes: 67, trials: 200 }, { successes: 6, trials: 55 })?.verdict).toBe('better');
    expect(compare({ successes: 10, trials: 100 }, { successes: 25, trials: 100 })?.verdict).toBe('worse');
    expect(compare({ successes: 30, trials: 300 }, { successes: 28, trials: 310 })?.verdict).toBe(
      'no clear difference',
    );
  });

  it.each([
    { label: 'four conversions in the holdout', t: [40, 100], c: [4, 100] },
    { label: 'a holdout of three', t: [40, 100], c: [1, 3] },
    { label: 'everyone converted', t: [100, 100], c: [50, 100] },
    { label: 'nothing yet', t: [0, 1], c: [0, 1] },
  ])('too small to tell: $label — no z, no p-value', ({ t, c }) => {
    const result = compare(
      { successes: t[0] ?? 0, trials: t[1] ?? 0 },
      { successes: c[0] ?? 0, trials: c[1] ?? 0 },
    );
    expect(result?.verdict).toBe('too small to tell');
    expect(result?.p).toBeUndefined();
    expect(result?.z).toBeUndefined();
  });

  it('has no lift over a holdout that never converted, and nothing to compare without trials', () => {
    expect(compare({ successes: 5, trials: 10 }, { successes: 0, trials: 10 })?.lift).toBeUndefined();
    expect(compare({ successes: 0, trials: 0 }, { successes: 1, trials: 10 })).toBeUndefined();
  });
});

/**
 * The mixture likelihood ratio by numerical integration over θ (Simpson's
 * rule), for the closed form to be checked against: ∫ φ(d; θ, V) φ(θ; 0, τ²) dθ / φ(d; 0, V).
 */
function mixtureRatioByIntegration(d: number, variance: number, tau2: number): number {
  const density = (x: number, mean: number, v: number) =>
    Math.exp(-((x - mean) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
  const span = 12 * Math.sqrt(tau2);
  const n = 20_000;
  const h = (2 * span) / n;
  const f = (theta: number) => density(d, theta, variance) * density(theta, 0, tau2);
  let sum = f(-span) + f(span);
  for (let i = 1; i < n; i++) sum += f(-span + i * h) * (i % 2 === 0 ? 2 : 4);
  return (sum * h) / 3 / density(d, 0, variance);
}

describe('sequentialCompare: mixture sequential probability ratio test', () => {
  it.each([
    { t: [130, 1000], c: [100, 1000], planned: 1000 },
    { t: [260, 2000], c: [200, 2000], planned: 500 },
    { t: [90, 800], c: [110, 1200], planned: 1000 },
  ])('its p-value is 1/Λ of the normal mixture, $t vs $c', ({ t, c, planned }) => {
    // arrange
    const [x1 = 0, n1 = 0] = t;
    const [x2 = 0, n2 = 0] = c;
    const pooled = (x1 + x2) / (n1 + n2);
    const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
    const alpha = 0.05;
    const tuning = 2 * Math.log(1 / alpha) + Math.log(1 + 2 * Math.log(1 / alpha));
    const tau2 = tuning * pooled * (1 - pooled) * (2 / planned);
    // act
    const result = sequentialCompare(
      { successes: x1, trials: n1 },
      { successes: x2, trials: n2 },
      planned,
      alpha,
    );
    // assert
    const lambda = mixtureRatioByIntegration(x1 / n1 - x2 / n2, variance, tau2);
    expect(result?.p).toBeCloseTo(Math.min(1, 1 / lambda), 6);
    expect(result?.z).toBeCloseTo(zByChiSquare(x1, n1, x2, n2), 9);
  });

  it('asks for more than one fixed-sample test: z ≈ 2.6 is significant once, not when looked at again and again', () => {
    // arrange: 13% vs 10% on 1,000 each
    const t = { successes: 130, trials: 1000 };
    const c = { successes: 100, trials: 1000 };
    // act
    const fixed = compare(t, c);
    const sequential = sequentialCompare(t, c, 1000, 0.05);
    // assert
    expect(fixed?.p).toBeLessThan(0.05);
    expect(sequential?.p).toBeGreaterThan(0.05);
  });

  it('gives no p-value where the normal approximation is not trusted', () => {
    expect(
      sequentialCompare({ successes: 4, trials: 100 }, { successes: 40, trials: 100 }, 100, 0.05),
    ).toBeUndefined();
  });
});

describe('compareStrata', () => {
  it('is the pooled z-test for one stratum, and leaves out a stratum missing a group', () => {
    // arrange
    const treatment = { successes: 67, trials: 200 };
    const control = { successes: 6, trials: 55 };
    const empty = { successes: 0, trials: 0 };
    // act
    const one = compareStrata([
      { treatment, control },
      { treatment: { successes: 3, trials: 9 }, control: empty },
    ]);
    // assert
    expect(one).toEqual(compare(treatment, control));
  });

  it('finds the same effect in every stratum whatever the weights of each', () => {
    // arrange: +10 points in each version, at base rates of 30% and 10%, with the treatment share changed
    const strata = [
      { treatment: { successes: 200, trials: 500 }, control: { successes: 150, trials: 500 } },
      { treatment: { successes: 180, trials: 900 }, control: { successes: 10, trials: 100 } },
    ];
    // act
    const result = compareStrata(strata);
    // assert
    expect(result?.difference).toBeCloseTo(0.1, 10);
    expect(result).toMatchObject({ verdict: 'better', strata: 2 });
  });
});
