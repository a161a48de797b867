import { describe, expect, it } from 'vitest';
import {
  COUNTER_METRICS,
  counterSortKey,
  OUTCOMES,
  outcomeMetric,
  parseSortKey,
} from '#shared/stats/keys.ts';

/**
 * Counter sort keys are read back into the names they were written with:
 * whatever a step id, variant or reason is called, it comes back as itself
 * and never as "none".
 */

describe('counter sort keys', () => {
  it.each([
    { variant: '-' },
    { variant: '--' },
    { variant: '#' },
    { variant: '%2D' },
    { variant: 'a#b' },
    { variant: 'ünïcødé 🚀' },
    { variant: '__proto__' },
  ])('a variant named $variant is read back as itself', ({ variant }) => {
    // arrange
    const key = { version: '3', stepId: 'ab', variant, metric: 'assigned' };
    // act
    const parsed = parseSortKey(counterSortKey(key));
    // assert
    expect(parsed).toStrictEqual({ kind: 'counter', key });
  });

  it('a counter with no step or variant is read back without them', () => {
    const key = { version: '1', metric: 'enrolled' };
    expect(parseSortKey(counterSortKey(key))).toStrictEqual({ kind: 'counter', key });
  });

  it('every metric round-trips with a reason', () => {
    const metrics = [...COUNTER_METRICS, ...OUTCOMES.map(outcomeMetric)];
    for (const metric of metrics) {
      const key = { version: '12', stepId: 'step-1', metric, reason: '-' };
      expect(parseSortKey(counterSortKey(key))).toStrictEqual({ kind: 'counter', key });
    }
  });
});
