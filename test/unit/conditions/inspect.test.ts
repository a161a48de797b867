import { describe, expect, it } from 'vitest';
import { canRenderAsChoice, conditionPaths } from '#shared/conditions/inspect.ts';
import type { Condition } from '#shared/conditions/schema.ts';

describe('conditionPaths', () => {
  it('lists every path once, in order, including history reads', () => {
    // arrange
    const condition: Condition = {
      all: [
        { path: 'event.properties.total', gte: 20 },
        { not: { path: 'profile.traits.plan', eq: 'free' } },
        { any: [{ performed: 'Order Completed' }, { path: 'event.properties.total', lt: 100 }] },
      ],
    };
    // act / assert
    expect(conditionPaths(condition)).toStrictEqual([
      'event.properties.total',
      'profile.traits.plan',
      'profile.events',
    ]);
  });
});

describe('canRenderAsChoice', () => {
  it.each<[string, Condition, boolean]>([
    ['event comparison', { path: 'event.properties.total', gte: 20 }, true],
    ['trigger comparison', { path: 'trigger.properties.cartId', eq: 'c-1' }, true],
    [
      'every renderable operator',
      {
        all: [
          { path: 'event.a', eq: null },
          { path: 'event.a', ne: 1 },
          { path: 'event.a', in: [1, 'x'] },
          { path: 'event.a', gt: 'x' },
          { path: 'event.a', lte: 3 },
          { path: 'event.a', startsWith: 'x' },
          { path: 'event.a', exists: false },
        ],
      },
      true,
    ],
    ['profile path', { path: 'profile.traits.plan', eq: 'pro' }, false],
    [
      'profile path nested',
      { any: [{ path: 'event.a', eq: 1 }, { not: { path: 'profile.a', eq: 1 } }] },
      false,
    ],
    ['performed', { performed: 'Order Completed' }, false],
    ['within', { path: 'event.at', within: 'P1D' }, false],
    ['olderThan', { path: 'event.at', olderThan: 'P1D' }, false],
    ['withinNext', { path: 'event.at', withinNext: 'P1D' }, false],
    ['order comparison with a date (instants)', { path: 'event.at', gte: '2026-03-01T00:00:00Z' }, false],
    ['contains (arrays are out of reach)', { path: 'event.tags', contains: 'x' }, false],
    ['index segment', { path: 'event.items.0', eq: 'x' }, false],
    ['dash segment', { path: 'event.first-name', eq: 'x' }, false],
    ['dollar segment', { path: 'event.$x', eq: 'x' }, false],
    ['colon segment', { path: 'event.a:b', eq: 'x' }, false],
    ['__proto__', { path: 'event.__proto__', exists: true }, false],
    ['constructor', { path: 'event.constructor', exists: true }, false],
    ['length', { path: 'event.items.length', gt: 0 }, false],
  ])('%s → %s', (_name, condition, expected) => {
    expect(canRenderAsChoice(condition)).toBe(expected);
  });
});
