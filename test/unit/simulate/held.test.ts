import { describe, expect, it } from 'vitest';
import { HeldItems } from '#infra/simulate/dynamo/held.ts';

/** The most recently used items are held as objects, the rest packed; reading gives the same item either way. */

const item = (n: number) => ({ id: { S: `i-${n}` }, n: { N: String(n) }, b: { B: new Uint8Array([n]) } });

describe('held items', () => {
  it('packs the least recently used beyond the limit and reads it back unchanged', () => {
    const held = new HeldItems(2);
    const [a, b, c] = [held.create(item(1), 10), held.create(item(2), 20), held.create(item(3), 30)];

    expect(a.item).toBeUndefined();
    expect(a.text).toBeTypeOf('string');
    expect([b.item, c.item]).toEqual([item(2), item(3)]);

    expect(held.item(a)).toEqual(item(1));
    expect(b.item).toBeUndefined();
  });

  it('keeps the packed text of an item read back until it changes, and packs the changed one anew', () => {
    const held = new HeldItems(1);
    const entry = held.create(item(1), 1);
    held.create(item(2), 2);
    const packed = entry.text;

    expect(held.item(entry)).toEqual(item(1));
    expect(packed).toBeTypeOf('string');
    expect(entry.text).toBe(packed);

    held.replace(entry, item(3), 3);
    expect(entry.text).toBeUndefined();
    held.create(item(4), 4);
    expect(entry.item).toBeUndefined();
    expect(held.item(entry)).toEqual(item(3));
  });

  it('keeps an item in use as objects however many others come and go, and forgets removed ones', () => {
    const held = new HeldItems(2);
    const kept = held.create(item(0), 1);
    for (let n = 1; n < 10; n++) {
      held.item(kept);
      held.forget(held.create(item(n), 1));
    }

    expect(kept.item).toEqual(item(0));
    held.replace(kept, item(42), 5);
    expect([held.item(kept), kept.size]).toEqual([item(42), 5]);
  });

  it('holds no more objects than its limit and reads every item back, whatever the order of use', () => {
    const held = new HeldItems(10);
    const all = Array.from({ length: 50 }, (_, n) => held.create(item(n), n));
    let seed = 7;
    for (let step = 0; step < 2000; step++) {
      seed = (seed * 48271) % 2147483647;
      const n = step % 3 === 0 ? seed % 50 : seed % 4;
      const entry = all[n];
      if (entry === undefined) throw new Error('no entry');
      expect(held.item(entry)).toEqual(item(n));
      expect(all.filter((h) => h.item !== undefined).length).toBeLessThanOrEqual(10);
    }
  });
});

describe('held documents', () => {
  it('reads back a packed document with sets, binary and big numbers as it was, its maps and lists frozen', () => {
    const held = new HeldItems(1);
    const doc = {
      id: 'd',
      n: 1.5,
      big: 12345678901234567890n,
      tags: new Set(['a', 'b']),
      nums: new Set([1, 2]),
      bin: new Uint8Array([1, 2]),
      m: { l: [null, true, 'x'] },
    };
    const entry = held.create(doc, 1);
    held.create({ id: 'other' }, 1);

    expect(entry.item).toBeUndefined();
    const read = held.item(entry);
    expect(read).toEqual(doc);
    const m = read.m as { l: unknown[] };
    // The item itself is the tables' own until a reader gets it (memory-tables.ts freezes it then).
    expect([Object.isFrozen(read), Object.isFrozen(m), Object.isFrozen(m.l)]).toEqual([false, true, true]);
  });
});
