import fc from 'fast-check';
import type { Condition, Scalar } from '#shared/conditions/schema.ts';

/**
 * fast-check generators for condition trees and the data they read. Keys of
 * generated data come from the same small pools as path segments, so that
 * generated paths often hit generated values.
 */

/** Strings that probe ordering, prefixes, wildcards, escapes and line breaks. */
const tricky = fc.constantFrom(
  '',
  'a',
  'ab',
  'abc',
  'b',
  'A',
  'a*',
  '*',
  'a?',
  '?b',
  'a\\b',
  '\\',
  'a\nb',
  'é',
  '\uffff',
  'a\uffff',
);

export const scalar: fc.Arbitrary<Scalar> = fc.oneof(
  tricky,
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

const duration = fc.constantFrom('PT0S', 'PT1H', 'P1D', 'P7D', 'P1M', 'P1Y', 'P1DT12H');

/** A JSON value built from the given keys, up to `depth` levels of objects and arrays. */
export function dataOf(keys: readonly string[], depth: number): fc.Arbitrary<unknown> {
  if (depth === 0) return scalar;
  const inner = dataOf(keys, depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...keys), inner, { maxKeys: keys.length }) },
    { weight: 1, arbitrary: fc.array(inner, { maxLength: 3 }) },
    { weight: 1, arbitrary: scalar },
  );
}

/** Dotted paths under the given roots, made of 1 to `maxDepth` segments from `segments`. */
export function pathOf(
  roots: readonly string[],
  segments: readonly string[],
  maxDepth: number,
): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...roots),
      fc.array(fc.constantFrom(...segments), { minLength: 1, maxLength: maxDepth }),
    )
    .map(([root, rest]) => [root, ...rest].join('.'));
}

/** One comparison of each operator the Choice back end renders. */
export function renderableComparison(path: fc.Arbitrary<string>): fc.Arbitrary<Condition> {
  const ordered = fc.oneof(
    tricky,
    fc.integer({ min: -3, max: 3 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
  return fc.oneof(
    fc.record({ path, eq: scalar }),
    fc.record({ path, ne: scalar }),
    fc.record({ path, in: fc.array(scalar, { minLength: 1, maxLength: 3 }) }),
    fc.record({ path, gt: ordered }),
    fc.record({ path, gte: ordered }),
    fc.record({ path, lt: ordered }),
    fc.record({ path, lte: ordered }),
    fc.record({ path, startsWith: fc.oneof(tricky, fc.string({ maxLength: 3 })) }),
    fc.record({ path, exists: fc.boolean() }),
  );
}

/** Every comparison operator, plus event-history checks. */
export function anyLeaf(path: fc.Arbitrary<string>, eventNames: readonly string[]): fc.Arbitrary<Condition> {
  const count = fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined });
  return fc.oneof(
    { weight: 4, arbitrary: renderableComparison(path) },
    fc.record({ path, contains: scalar }),
    fc.record({ path, within: duration }),
    fc.record({ path, olderThan: duration }),
    fc.record({ path, withinNext: duration }),
    fc.record(
      {
        performed: fc.constantFrom(...eventNames),
        atLeast: count,
        atMost: count,
        within: fc.option(duration, { nil: undefined }),
      },
      { requiredKeys: ['performed'] },
    ),
  );
}

/** Trees of `all`/`any`/`not` over `leaf`, up to `depth` levels. */
export function treeOf(leaf: fc.Arbitrary<Condition>, depth: number): fc.Arbitrary<Condition> {
  if (depth === 0) return leaf;
  const inner = treeOf(leaf, depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.record({ all: fc.array(inner, { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ any: fc.array(inner, { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ not: inner }) },
  );
}
