import { marshall, unmarshall as sdkUnmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { storableCommandInput, UnstorableKeyError } from '#functions/_lib/clients/dynamo-documents.ts';
import { fromItem, MARSHALL, toItem, UNMARSHALL } from '#infra/simulate/dynamo/convert.ts';

/**
 * The simulation's own marshalling must give what the product's document
 * client gives (its storable documents, then the SDK's marshall/unmarshall),
 * results and errors alike, for every kind of value.
 */

/** An item as the product's document client unmarshalls it. */
function unmarshall(item: Parameters<typeof sdkUnmarshall>[0]) {
  return sdkUnmarshall(item, { ...UNMARSHALL });
}

/** An item as the product's document client marshals it: each attribute made storable, then marshalled. */
function productMarshall(document: Record<string, unknown>) {
  const { Item } = storableCommandInput({ Item: document });
  return marshall(new Map(Object.entries(Item)), { ...MARSHALL, convertTopLevelContainer: false });
}

const HOSTILE = `{
  "constructor": {"name": "String"},
  "m": {"constructor": "x", "prototype": {"hasOwnProperty": 1}, "toString": {"valueOf": null}},
  "l": [{"constructor": {"name": "Set"}}, [{"constructor": {"name": "Uint8Array", "length": 1}}]]
}`;

class Cart {
  id = 'c-1';
}

const documents: [string, Record<string, unknown>][] = [
  [
    'scalars',
    { s: 'x', empty: '', n: 42.5, neg: -0, big: Number.MAX_SAFE_INTEGER, t: true, f: false, z: null },
  ],
  ['nested', { m: { a: [1, 'two', { three: 3 }], b: {} }, l: [[], [null]] }],
  [
    'undefined and functions dropped',
    { a: undefined, l: [1, undefined, () => 1], m: { b: undefined, f: () => 2 } },
  ],
  ['bigints', { big: 1772409600000000000001n, neg: -9007199254740993n, l: [12n] }],
  ['sets and binary', { ss: new Set(['a', 'b']), ns: new Set([1, 2]), b: new Uint8Array([1, 2, 3]) }],
  ['null prototype', { m: Object.assign(Object.create(null), { a: 1 }) }],
  ['a Map', { m: new Map([['k', 1]]) }],
  ['maps with keys named like prototype members', JSON.parse(HOSTILE)],
  [
    'numbers past 2^53 (event values)',
    { n: Number.MAX_SAFE_INTEGER + 2, l: [1e21, -1.5e25], m: { x: 6e125 } },
  ],
  [
    'a null-prototype map with a key named constructor',
    { m: Object.assign(Object.create(null), { constructor: { name: 'Set' }, toString: 'x' }) },
  ],
];

const refused: [string, Record<string, unknown>][] = [
  ['NaN', { n: Number.NaN }],
  ['Infinity', { l: [Number.POSITIVE_INFINITY] }],
  ['a class instance', { c: new Cart() }],
  ['an empty set', { s: new Set() }],
];

function outcome(run: () => unknown): unknown {
  try {
    return { ok: run() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

describe('simulation marshalling', () => {
  it.each(documents)('marshals %s as the SDK does, and reads it back as the SDK does', (_name, document) => {
    const sdk = productMarshall(document);

    expect(toItem(document)).toEqual(sdk);
    expect(fromItem(sdk)).toEqual(unmarshall(sdk));
  });

  it.each(refused)('refuses %s with the SDK error', (_name, document) => {
    const sdk = outcome(() => productMarshall(document));

    expect(sdk).toHaveProperty('error');
    expect(outcome(() => toItem(document))).toEqual(sdk);
  });

  it('refuses a key named __proto__ at any depth, as the product does', () => {
    for (const json of ['{"__proto__": 1}', '{"m": {"l": [{"__proto__": {"a": 1}}]}}']) {
      const document = JSON.parse(json);

      expect(() => productMarshall(document)).toThrow(UnstorableKeyError);
      expect(() => toItem(document)).toThrow(UnstorableKeyError);
    }
  });

  it('reads integers beyond the safe ones as the product does: a double when the digits are one, else a BigInt', () => {
    const item = {
      big: { N: '1772409600000000000001' },
      double: { N: '1772409600000000000000' },
      small: { N: '-12.5' },
      exp: { N: '1e3' },
    };

    expect(fromItem(item)).toEqual(unmarshall(item));
    expect(typeof fromItem(item).big).toBe('bigint');
    expect(fromItem(item).double).toBe(1.7724096e21);
  });

  it('reads a negative big integer and a big fraction as the product does', () => {
    const negative = { n: { N: '-1772409600000000000001' } };
    const fraction = { n: { N: '1772409600000000000001.5' } };

    expect(fromItem(negative)).toEqual(unmarshall(negative));
    expect(fromItem(fraction)).toEqual(unmarshall(fraction));
    expect(fromItem(fraction).n).toBe(1.7724096e21);
  });
});
