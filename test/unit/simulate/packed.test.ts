import { describe, expect, it } from 'vitest';
import { pack, unpack } from '#infra/simulate/dynamo/packed.ts';

/** Items are held packed: what is read back must be exactly what was written, binary included. */

describe('packed items', () => {
  it.each([
    [
      'scalars',
      { s: { S: 'héllo \u{1F600} \ud800' }, n: { N: '-12.50' }, t: { BOOL: true }, z: { NULL: true } },
    ],
    ['containers', { m: { M: { a: { L: [{ S: 'x' }, { M: {} }] } } }, l: { L: [] } }],
    ['sets', { ss: { SS: ['a', 'b'] }, ns: { NS: ['1', '2.5'] } }],
    [
      'binary, top level and nested',
      {
        h: { B: new Uint8Array([0, 255, 7]) },
        m: { M: { b: { BS: [new Uint8Array([1]), new Uint8Array([])] } } },
      },
    ],
    [
      'names users choose',
      { ['__proto__']: { S: 'p' }, constructor: { S: 'c' }, 'B\u0000base64': { S: 'not binary' } },
    ],
    [
      'a string that looks like the binary marker',
      { s: { S: 'B\u0000base64' }, m: { M: { x: { S: '\u0000base64' } } } },
    ],
  ])('reads back %s as written', (_name, item) => {
    const back = unpack(pack(item));

    expect(back).toEqual(item);
    expect(Object.keys(back)).toEqual(Object.keys(item));
  });

  it('returns binary as Uint8Array with its own memory, and fresh objects on every read', () => {
    const text = pack({ h: { B: Buffer.from([1, 2, 3]) } });
    const first = unpack(text);
    const second = unpack(text);

    expect(first.h?.B).toBeInstanceOf(Uint8Array);
    expect(first.h?.B?.byteLength).toBe(3);
    expect(first.h?.B?.buffer.byteLength).toBe(3);
    expect(first).not.toBe(second);
    expect(first.h).not.toBe(second.h);
  });
});
