import { describe, expect, it } from 'vitest';
import { mulberry32 } from '#infra/simulate/scenario/random.ts';
import { Journey } from '#shared/journey/schema.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { type Comparison, compare, holmAdjusted, holmFamily } from '#shared/stats/statistics.ts';
import { reportText } from '#shared/stats/text.ts';

/**
 * Three variants against one holdout are three tests: read one by one at
 * 5%, one of three identical variants is called "better" or "worse" about
 * three times as often. The report adjusts them together (Holm–Bonferroni).
 */

const VARIANTS = ['a', 'b', 'c'] as const;

const journey = Journey.parse({
  id: 'promo',
  name: 'Promo',
  trigger: { type: 'event', event: 'Signed Up' },
  goal: { event: 'Order Completed', within: 'P7D', exit: true },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        ...VARIANTS.map((name) => ({ name, weight: 30, next: 'offer' })),
        { name: 'control', weight: 10, next: 'done', holdout: true },
      ],
    },
    offer: { type: 'email', template: 't', next: 'done' },
    done: { type: 'exit' },
  },
});

/** One experiment's counters: `perGroup` customers per variant and holdout, each converting at `rate`. */
function playExperiment(random: () => number, perGroup: number, rate: number): Counter[] {
  return [...VARIANTS, 'control'].flatMap((variant) => {
    let converted = 0;
    for (let i = 0; i < perGroup; i++) if (random() < rate) converted++;
    return [
      { version: '1', metric: 'assigned', stepId: 'ab', variant, count: perGroup },
      { version: '1', metric: 'converted', stepId: 'ab', variant, count: converted },
    ];
  });
}

describe('variants against one holdout', () => {
  it.each([
    ['in the order given', [0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]],
    ['one test alone', [0.04], [0.04]],
    ['never above 1', [0.6, 0.9], [1, 1]],
    ['a test too small to tell counts as 1', [0.01, undefined, 0.02], [0.03, 1, 0.04]],
  ])('Holm-adjusts p-values: %s', (_what, ps, expected) => {
    holmAdjusted(ps).forEach((p, i) => {
      expect(p).toBeCloseTo(expected[i] ?? Number.NaN, 12);
    });
  });

  it('calls one of three identical variants better or worse no more often than 5% (4,000 seeded experiments)', () => {
    // arrange
    const random = mulberry32(20261201);
    const experiments = 4_000;
    const group = () => {
      let successes = 0;
      for (let i = 0; i < 400; i++) if (random() < 0.2) successes++;
      return { successes, trials: 400 };
    };
    const decided = (c: Comparison | undefined) => c?.verdict === 'better' || c?.verdict === 'worse';
    let adjustedFlags = 0;
    let oneByOneFlags = 0;
    for (let n = 0; n < experiments; n++) {
      const [control, ...variants] = [group(), group(), group(), group()];
      if (control === undefined) continue;
      // act: as the report compares a split's variants with its holdout, and one test at a time
      if (holmFamily(variants.map((v) => compare(v, control))).some(decided)) adjustedFlags++;
      if (variants.map((v) => compare(v, control)).some(decided)) oneByOneFlags++;
    }
    // assert: the family-wise rate at the nominal 5%, give or take the draw (3 standard errors of 4,000: 0.010)
    expect(adjustedFlags / experiments).toBeLessThan(0.06);
    // and the unadjusted reading of the same experiments is well above it: the test can fail
    expect(oneByOneFlags / experiments).toBeGreaterThan(0.1);
  });

  it('says in the legend that p is adjusted, over how many variants', () => {
    // arrange
    const counters = playExperiment(mulberry32(7), 400, 0.2);
    // act
    const report = buildReport(journey, counters, []);
    // assert
    expect(reportText(report)).toContain('p: Holm–Bonferroni adjusted over the 3 variants compared');
    const a = report.splits[0]?.variants.find((v) => v.name === 'a')?.vsHoldout;
    expect(a).toMatchObject({ family: 3, unadjustedP: expect.any(Number), p: expect.any(Number) });
    expect(a?.p).toBeGreaterThanOrEqual(a?.unadjustedP ?? 1);
  });
});
