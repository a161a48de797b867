import { describe, expect, it } from 'vitest';
import { mulberry32 } from '#infra/simulate/scenario/random.ts';
import type { Experiment } from '#shared/journey/experiment.ts';
import { judgeExperiment, type VariantCounts } from '#shared/stats/experiment.ts';

/**
 * `until: "significant"` is looked at every hour for as long as the
 * experiment runs. A fixed-sample test repeated at every look finds a
 * "winner" between identical variants far more often than its confidence
 * says (and, given time, always); the decision must stay at the declared
 * error rate however many looks it takes.
 */

const EXPERIMENT: Experiment = { metric: 'goal', minSample: 1000, until: 'significant', confidence: 0.95 };
const START = '2026-01-01T00:00:00.000Z';

/** Plays hourly looks with `perHour` entrants per variant; the hour of the decision, or undefined. */
function play(rates: readonly number[], hours: number, perHour: number, random: () => number) {
  const variants: VariantCounts[] = rates.map((_, i) => ({
    name: `v${i}`,
    weight: 50,
    holdout: false,
    assigned: 0,
    converted: 0,
  }));
  for (let hour = 1; hour <= hours; hour++) {
    for (const [i, v] of variants.entries()) {
      for (let n = 0; n < perHour; n++) {
        v.assigned++;
        if (random() < (rates[i] ?? 0)) v.converted++;
      }
    }
    const verdict = judgeExperiment(EXPERIMENT, START, variants, new Date(Date.UTC(2026, 0, 1, hour)));
    if (verdict.status === 'decided') return { hour, winner: verdict.decision.winner };
  }
  return undefined;
}

describe('judgeExperiment: "significant" under hourly looks', () => {
  it('between identical variants, declares a winner in at most 5% of experiments over 20 days of looks', () => {
    // arrange
    const random = mulberry32(7);
    const runs = 100;
    // act
    let decided = 0;
    for (let run = 0; run < runs; run++) if (play([0.1, 0.1], 24 * 20, 50, random) !== undefined) decided++;
    // assert
    expect(decided / runs).toBeLessThanOrEqual(0.05);
  });

  it('still finds a real difference, and names the better variant', () => {
    // arrange
    const random = mulberry32(11);
    const runs = 40;
    // act
    const results = Array.from({ length: runs }, () => play([0.1, 0.13], 24 * 30, 50, random));
    // assert
    expect(results.filter((r) => r?.winner === 'v1').length / runs).toBeGreaterThanOrEqual(0.9);
    expect(results.some((r) => r?.winner === 'v0')).toBe(false);
  });
});
