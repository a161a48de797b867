import { describe, expect, it } from 'vitest';
import { bucketAfterExperiment, experimentStates } from '#shared/ingest/experiments.ts';
import { type Experiment, experimentKey } from '#shared/journey/experiment.ts';
import { Journey } from '#shared/journey/schema.ts';
import { judgeExperiment, type VariantCounts } from '#shared/stats/experiment.ts';

const START = '2026-11-01T00:00:00.000Z';
const NOW = new Date('2026-11-05T00:00:00.000Z');

function variant(name: string, assigned: number, converted: number, extra: Partial<VariantCounts> = {}) {
  return { name, weight: 45, holdout: false, assigned, converted, ...extra };
}

function experiment(until: Experiment['until'], minSample = 100, confidence = 0.95): Experiment {
  return { metric: 'goal', minSample, until, confidence };
}

describe('judgeExperiment', () => {
  it.each([
    {
      case: 'a variant below the minimum sample keeps it running, whatever the rates',
      exp: experiment('significant', 1000),
      variants: [variant('a', 5000, 900), variant('b', 999, 10)],
      expected: { status: 'running', reason: 'waiting for 1000 entrants per variant (b 999)' },
    },
    {
      case: 'a clear leader wins as soon as it is significant',
      exp: experiment('significant'),
      // 20% vs 10% on 1,000 each: z ≈ 6.2.
      variants: [
        variant('a', 1000, 100),
        variant('b', 1000, 200),
        variant('control', 200, 10, { holdout: true }),
      ],
      winner: 'b',
    },
    {
      case: 'a small difference keeps a significance test running',
      exp: experiment('significant'),
      variants: [variant('a', 1000, 100), variant('b', 1000, 110)],
      expected: { status: 'running', reason: 'b leads at 11.0% (110/1000), not yet significantly' },
    },
    {
      case: 'the leader must beat every other competitor, not only the worst',
      exp: experiment('significant'),
      variants: [variant('a', 1000, 100), variant('b', 1000, 200), variant('c', 1000, 190)],
      expected: { status: 'running', reason: 'b leads at 20.0% (200/1000), not yet significantly' },
    },
    {
      case: 'a holdout never wins and is not a competitor, even when it converts best',
      exp: experiment('significant'),
      variants: [
        variant('a', 1000, 100),
        variant('b', 1000, 200),
        variant('control', 1000, 900, { holdout: true }),
      ],
      winner: 'b',
    },
    {
      case: 'a higher confidence asks for more evidence',
      exp: experiment('significant', 100, 0.999),
      // 13.5% vs 10%: p ≈ 0.015, significant at 95% but not at 99.9%.
      variants: [variant('a', 1000, 100), variant('b', 1000, 135)],
      expected: { status: 'running', reason: 'b leads at 13.5% (135/1000), not yet significantly' },
    },
    {
      case: 'a test window still open keeps it running',
      exp: experiment('P7D'),
      variants: [variant('a', 1000, 100), variant('b', 1000, 300)],
      expected: { status: 'running', reason: 'the test window ends 2026-11-08T00:00:00.000Z' },
    },
    {
      case: 'at the end of the window the leader wins, significant or not',
      exp: experiment('P3D'),
      variants: [variant('a', 1000, 100), variant('b', 1000, 101)],
      winner: 'b',
    },
    {
      case: 'equal rates at the end: the first declared wins (the same counters, the same winner)',
      exp: experiment('P3D'),
      variants: [variant('a', 1000, 100), variant('b', 1000, 100)],
      winner: 'a',
    },
    {
      case: 'a variant with no share does not compete',
      exp: experiment('P3D'),
      variants: [variant('a', 1000, 100), variant('b', 1000, 150), variant('off', 0, 0, { weight: 0 })],
      winner: 'b',
    },
  ])('$case', ({ exp, variants, expected, winner }) => {
    // act
    const verdict = judgeExperiment(exp, START, variants, NOW);
    // assert
    if (winner === undefined) expect(verdict).toStrictEqual(expected);
    else {
      expect(verdict.status).toBe('decided');
      if (verdict.status === 'decided') {
        expect(verdict.decision.winner).toBe(winner);
        expect(verdict.decision.at).toBe(NOW.toISOString());
      }
    }
  });

  it('says why: the rates, the confidence and the p-value', () => {
    // act
    const verdict = judgeExperiment(
      experiment('significant'),
      START,
      [variant('a', 1000, 100), variant('b', 1000, 200)],
      NOW,
    );
    // assert
    expect(verdict.status === 'decided' && verdict.decision.reason).toMatch(
      /^b converts at 20\.0% \(200\/1000\), better than a 10\.0% \(100\/1000\) at 95% confidence \(p = \d\.\de-\d+\)$/,
    );
  });
});

describe('bucketAfterExperiment', () => {
  const variants = [
    { name: 'a', weight: 45, holdout: false },
    { name: 'b', weight: 45, holdout: false },
    { name: 'control', weight: 10, holdout: true },
  ];

  it.each([
    { bucket: 0, expected: 45 },
    { bucket: 44, expected: 45 },
    { bucket: 45, expected: 45 },
    { bucket: 89, expected: 45 },
    // The holdout keeps its own: the control still measures the winner.
    { bucket: 90, expected: 90 },
    { bucket: 99, expected: 99 },
  ])('bucket $bucket → $expected when b won', ({ bucket, expected }) => {
    expect(bucketAfterExperiment(variants, 'b', bucket)).toBe(expected);
  });

  it('leaves the bucket alone for a winner the split no longer has', () => {
    expect(bucketAfterExperiment(variants, 'gone', 12)).toBe(12);
  });
});

describe('experimentStates', () => {
  const journey = (names: string[], until: Experiment['until'] = 'P14D') =>
    Journey.parse({
      id: 'exp',
      name: 'exp',
      trigger: { type: 'event', event: 'Go' },
      goal: { event: 'Buy' },
      start: 'ab',
      steps: {
        ab: {
          type: 'split',
          variants: names.map((name, i) => ({
            name,
            weight: i === 0 ? 100 - (names.length - 1) * 10 : 10,
            next: 'done',
          })),
          experiment: { metric: 'goal', minSample: 10, until },
        },
        done: { type: 'exit' },
      },
    });

  it('an edit that keeps the variants and the experiment continues it, with its start and decision', () => {
    // arrange
    const first = experimentStates(journey(['a', 'b']), '1', START);
    const decided = first.map((s) => ({ ...s, decision: { winner: 'b', at: START, reason: 'r' } }));
    // act
    const next = experimentStates(journey(['a', 'b']), '2', '2026-11-03T00:00:00.000Z', decided);
    // assert
    expect(next).toStrictEqual(decided);
    expect(next[0]?.fromVersion).toBe('1');
  });

  it.each([
    { case: 'a renamed variant', names: ['a', 'c'], until: 'P14D' },
    { case: 'a new window', names: ['a', 'b'], until: 'P7D' },
  ])('$case starts a new experiment counted from the new version', ({ names, until }) => {
    // arrange
    const first = experimentStates(journey(['a', 'b']), '1', START);
    // act
    const [next] = experimentStates(journey(names, until), '2', '2026-11-03T00:00:00.000Z', first);
    // assert
    expect(next?.fromVersion).toBe('2');
    expect(next?.startedAt).toBe('2026-11-03T00:00:00.000Z');
    expect(next?.key).not.toBe(first[0]?.key);
    expect(next?.key).toBe(
      experimentKey(
        { metric: 'goal', minSample: 10, until, confidence: 0.95 },
        names.map((name) => ({ name, holdout: false })),
      ),
    );
  });

  describe('weights', () => {
    const weighted = (a: number) =>
      Journey.parse({
        id: 'exp',
        name: 'exp',
        trigger: { type: 'event', event: 'Go' },
        goal: { event: 'Buy' },
        start: 'ab',
        steps: {
          ab: {
            type: 'split',
            variants: [
              { name: 'a', weight: a, next: 'done' },
              { name: 'b', weight: 100 - a, next: 'done' },
            ],
            experiment: { metric: 'goal', minSample: 10, until: 'P14D' },
          },
          done: { type: 'exit' },
        },
      });
    const LATER = '2026-11-03T00:00:00.000Z';

    it('a change of weights while it runs starts a new experiment: pooled, its counts could crown the wrong variant', () => {
      // arrange: 80/20 for a week, then 50/50
      const first = experimentStates(weighted(80), '1', START);
      // act
      const [next] = experimentStates(weighted(50), '2', LATER, first);
      // assert
      expect(next).toMatchObject({ fromVersion: '2', startedAt: LATER });
    });

    it('keeps a decided experiment and its winner whatever the weights become', () => {
      // arrange
      const decided = experimentStates(weighted(80), '1', START).map((s) => ({
        ...s,
        decision: { winner: 'a', at: START, reason: 'r' },
      }));
      // act
      const next = experimentStates(weighted(50), '2', LATER, decided);
      // assert
      expect(next).toStrictEqual(decided);
    });

    it('continues an experiment recorded before weights were, and notices the next change', () => {
      // arrange: a state without weights, as registries written earlier hold
      const legacy = experimentStates(weighted(80), '1', START).map(({ weights: _w, ...s }) => s);
      // act
      const kept = experimentStates(weighted(80), '2', LATER, legacy);
      const changed = experimentStates(weighted(50), '3', LATER, kept);
      // assert
      expect(kept[0]?.fromVersion).toBe('1');
      expect(changed[0]?.fromVersion).toBe('3');
    });
  });
});
