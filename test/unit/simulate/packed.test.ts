import { describe, expect, it } from 'vitest';
import type { Doc } from '#infra/simulate/dynamo/documents.ts';
import { packDoc, unpackDoc } from '#infra/simulate/dynamo/packed.ts';

/** Items are held packed: what is read back must be exactly what was written, every type and name included. */

/** Every map and list in a value frozen, sets and binary not (they cannot be). */
function allFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (value instanceof Set || value instanceof Uint8Array) return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(allFrozen);
}

/** A map with `name` as an own data member (an assignment of `__proto__` would set the prototype). */
function withMember(name: string, value: unknown, rest: Doc = {}): Doc {
  const map: Doc = { ...rest };
  Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
  return map;
}

const counter = 1772409600000000000001n;

describe('packed items', () => {
  it.each<[string, Doc]>([
    ['scalars', { s: 'héllo \u{1F600} \ud800', n: -12.5, t: true, z: null }],
    ['containers', { m: { a: ['x', {}] }, l: [] }],
    ['bigints, top level and nested', { c: counter, m: { l: [-counter, 1] } }],
    [
      'bigints of its own attributes only, beside digits that stay text',
      withMember('__proto__', -counter, { c: counter, d: '1772409600000000000001', m: { l: ['2', 2] } }),
    ],
    ['sets of strings and numbers', { ss: new Set(['a', 'b']), ns: new Set([1, 2.5, counter]) }],
    [
      'sets JSON carries beside bigints, as a profile waiting for an event holds them',
      withMember('__proto__', new Set(['p']), {
        c: counter,
        ss: new Set(['a', '\u0000s']),
        ns: new Set([1, -2.5]),
        empty: new Set(),
        l: ['x', 1],
      }),
    ],
    ['a plain set without bigints', { ss: new Set(['a']), m: { n: 1 } }],
    [
      'binary, top level and nested',
      { h: new Uint8Array([0, 255, 7]), m: { b: new Set([new Uint8Array([1]), new Uint8Array([])]) } },
    ],
    ['numbers JSON cannot write', { c: counter, inf: Number.POSITIVE_INFINITY, m: [Number.NaN] }],
    [
      'names users choose, in a plain item',
      withMember('__proto__', 'p', { constructor: 'c', '\u0000n': '5', m: { '\u0000b': 'AAA=' } }),
    ],
    [
      'names users choose, beside a bigint',
      withMember(
        '__proto__',
        { '\u0000s': [] },
        {
          c: counter,
          '\u0000n': '5',
          '\u0000\u0000x': 1,
          m: withMember('__proto__', 1, { '\u0000b': 'AAA=', '\u0000': 0 }),
        },
      ),
    ],
  ])('reads back %s as written', (_name, item) => {
    // act
    const back = unpackDoc(packDoc(item));

    // assert
    expect(back).toStrictEqual(item);
    expect(Object.keys(back)).toEqual(Object.keys(item));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.isFrozen(back)).toBe(false);
    expect(Object.values(back).every(allFrozen)).toBe(true);
  });

  it('gives each read fresh objects, binary with its own memory', () => {
    // arrange
    const text = packDoc({ c: counter, h: new Uint8Array([1, 2, 3]), m: { s: new Set(['a']) } });

    // act
    const first = unpackDoc(text);
    const second = unpackDoc(text);

    // assert
    expect(first.h).toBeInstanceOf(Uint8Array);
    expect((first.h as Uint8Array).buffer.byteLength).toBe(3);
    expect(first).not.toBe(second);
    expect(first.m).not.toBe(second.m);
    expect((first.m as Doc).s).not.toBe((second.m as Doc).s);
  });
});
