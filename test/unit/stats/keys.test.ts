import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';
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

describe('counter sort keys of any valid journey fit DynamoDB', () => {
  /** DynamoDB refuses a sort key over 1,024 bytes: the counter write, and the step or enrollment counting it, would fail. */
  const MAX_SORT_KEY_BYTES = 1024;
  const stepId = `s${'x'.repeat(63)}`;

  function journeyWithVariant(name: string) {
    return {
      id: 'long-names',
      name: 'Long names',
      trigger: { type: 'event', event: 'Go' },
      start: stepId,
      steps: {
        [stepId]: {
          type: 'split',
          variants: [
            { name, weight: 50, next: 'done' },
            { name: 'b', weight: 50, next: 'done' },
          ],
        },
        done: { type: 'exit' },
      },
    };
  }

  it('the longest variant name validation accepts, in 4-byte characters, gives a key under the limit', () => {
    // arrange: grow the name until validation refuses it
    let name = '';
    while (name.length < 4000 && validateJourney(journeyWithVariant(`${name}🚀`)).ok) name += '🚀';
    const metrics = [...COUNTER_METRICS, ...OUTCOMES.map(outcomeMetric)];
    // act
    const longest = Math.max(
      ...metrics.map((metric) =>
        Buffer.byteLength(
          counterSortKey({ version: '999999', stepId, variant: name, metric, reason: 'r'.repeat(32) }),
        ),
      ),
    );
    // assert
    expect(name.length).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(MAX_SORT_KEY_BYTES);
  });

  it('refuses a variant name too long to count, with its path', () => {
    // act
    const result = validateJourney(journeyWithVariant('v'.repeat(3000)));
    // assert
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.violations.map((v) => v.path)).toStrictEqual([
      `steps.${stepId}.variants[0].name`,
    ]);
  });
});
