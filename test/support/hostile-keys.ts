import fc from 'fast-check';

/**
 * Documents whose keys are named like JavaScript's prototype members, for
 * tests that hold such names to be ordinary data. `__proto__` is not among
 * them: it is the one key the product refuses, tested on its own.
 */

export const PROTOTYPE_NAMES = [
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'toJSON',
  'length',
];

const key = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/));
const scalar = fc.oneof(fc.integer(), fc.stringMatching(/^[a-z0-9 ]{0,8}$/), fc.boolean(), fc.constant(null));

/** Any JSON value up to `maxDepth` levels, maps keyed by such names among others. */
export function hostileTree(maxDepth = 3): fc.Arbitrary<unknown> {
  const { tree } = fc.letrec<{ tree: unknown }>((self) => ({
    tree: fc.oneof(
      { depthSize: 'small', maxDepth },
      scalar,
      fc.array(self('tree'), { maxLength: 3 }),
      fc.dictionary(key, self('tree'), { maxKeys: 3 }),
      // `{"constructor": {"name": "String"}}` is what the SDK's marshaller alone stored as "[object Object]".
      fc
        .constantFrom('Set', 'Map', 'String', 'Number', 'Boolean', 'Uint8Array', 'Object')
        .map((name) => ({ constructor: { name } })),
    ),
  }));
  return tree;
}

/**
 * A map of such names to values (event properties, traits, context): no
 * value null at the top, as a trait set to null is removed (CDPs mean it so).
 */
export function hostileBag(maxDepth = 3): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(
    key,
    hostileTree(maxDepth).filter((value) => value !== null),
    { maxKeys: 4 },
  );
}

/** JSON with every object's keys sorted: equal for equal documents, whatever order a store keeps. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
