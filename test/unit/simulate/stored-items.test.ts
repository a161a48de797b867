import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  itemSize,
  readable,
  storedRequestItem,
  storedRequestKey,
  storedRequestValues,
} from '#infra/simulate/dynamo/documents.ts';
import { memoryDynamo } from '#infra/simulate/dynamo/memory-dynamo.ts';

/**
 * An item's billing size is kept beside it and moved by what each update
 * changes; it must stay the size of the item as stored, whatever the update
 * sets, adds, removes or leaves as it was. A stored item is handed to its
 * readers as it is only while nothing in it can be changed, and a request's
 * expression values are read as they would be stored.
 */

/** A deterministic stream of numbers in [0, 1). */
function numbers(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const NAMES = ['a', 'b', 'ünï', 'c:event', 'd:event:xyz', 'list', 'm'];
const VALUES: unknown[] = [
  'x',
  'longer text ✓',
  0,
  7,
  -3.25,
  123_456_789_012,
  true,
  null,
  ['one', 2],
  { inner: 'v', n: 1 },
];

type Update = Pick<
  UpdateCommandInput,
  'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

function randomUpdate(next: () => number, i: number): Update {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const name = pick(NAMES);
  const names = { '#n': name };
  const kind = Math.floor(next() * 6);
  if (kind === 0) return { UpdateExpression: 'REMOVE #n', ExpressionAttributeNames: names };
  if (kind === 1)
    return {
      UpdateExpression: 'ADD #c :v',
      ExpressionAttributeNames: { '#c': `count${i % 3}` },
      ExpressionAttributeValues: { ':v': pick([0, 1, 5]) },
    };
  if (kind === 2)
    return {
      UpdateExpression: 'ADD #s :v',
      ExpressionAttributeNames: { '#s': 'tags' },
      ExpressionAttributeValues: { ':v': new Set([pick(['p', 'q', 'r'])]) },
    };
  if (kind === 3)
    // The value it already holds, when it holds one: the same value set again.
    return {
      UpdateExpression: 'SET #n = if_not_exists(#n, :v)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':v': pick(VALUES) },
    };
  if (kind === 4)
    return {
      UpdateExpression: 'SET #m.#k = :v',
      ExpressionAttributeNames: { '#m': 'm', '#k': pick(['k1', 'k2']) },
      ExpressionAttributeValues: { ':v': pick(VALUES) },
    };
  return {
    UpdateExpression: 'SET #n = :v',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':v': pick(VALUES) },
  };
}

describe('stored items', () => {
  it('keeps the billing size of an item through hundreds of updates equal to the size of the item stored', async () => {
    // arrange
    const db = memoryDynamo('sizes');
    const TableName = db.tables.profiles;
    const Key = { userId: 'u' };
    const next = numbers(42);
    await db.doc.send(new PutCommand({ TableName, Item: { ...Key, m: {} } }));
    const sizes: [number | undefined, number][] = [];
    // act
    for (let i = 0; i < 400; i++) {
      const update = randomUpdate(next, i);
      // A nested write into a map it removed fails, as on DynamoDB; the item is then unchanged.
      await db.doc.send(new UpdateCommand({ TableName, Key, ...update })).catch(() => undefined);
      const { Item } = await db.doc.send(new GetCommand({ TableName, Key }));
      sizes.push([db.store.storedSize(TableName, Key), itemSize(Item)]);
    }
    // assert
    expect(sizes.filter(([kept, actual]) => kept !== actual)).toEqual([]);
    expect(new Set(sizes.map(([, actual]) => actual)).size).toBeGreaterThan(20);
  });

  it('hands a frozen item without sets or binary to every reader as it is, and copies one holding a set each time', () => {
    // arrange
    const plain = Object.freeze({ userId: 'u', list: Object.freeze(['a']), m: Object.freeze({ n: 1 }) });
    const withSet = Object.freeze({ userId: 'u', tags: new Set(['a']) });
    // act
    const plainReads = [readable(plain), readable(plain)];
    const setReads = [readable(withSet), readable(withSet)];
    // assert
    expect(plainReads[0]).toBe(plain);
    expect(plainReads[1]).toBe(plain);
    expect(setReads[0]).not.toBe(withSet);
    expect(setReads[1]).not.toBe(withSet);
    expect(setReads[1]).toEqual(withSet);
    expect(setReads[0]?.tags).not.toBe(withSet.tags);
  });

  it('looks again at an item not frozen, which may have come to hold a set since', () => {
    // arrange
    const item: Record<string, unknown> = { userId: 'u' };
    const first = readable(item);
    // act
    item.tags = new Set(['a']);
    const second = readable(item);
    // assert
    expect(first).toBe(item);
    expect(second).not.toBe(item);
    expect(second.tags).not.toBe(item.tags);
  });

  it("reads a request's values as stored: the caller's object when each is stored as it is, else converted as any item", () => {
    // arrange
    const plain = { ':s': 'text', ':n': 42, ':b': false, ':z': null, ':u': undefined, ':x': -1.5 };
    const others: object[] = [
      { ':s': 'text', ':m': -0 },
      { ':s': 'text', ':big': 2 ** 60 },
      { ':s': 'text', ':l': ['a'] },
      { ':s': 'text', ':m': { k: 'v' } },
      { ':s': 'text', ':set': new Set(['a']) },
      { ':s': 'text', ':f': () => 1 },
      Object.assign(Object.create({ ':inherited': 'x' }), { ':s': 'text' }),
    ];
    // act
    const asIs = storedRequestValues(plain);
    const converted = others.map((values): [Record<string, unknown>, Record<string, unknown>, object] => [
      storedRequestValues(values),
      storedRequestItem(values),
      values,
    ]);
    // assert
    expect(asIs).toBe(plain);
    for (const [fast, full, values] of converted) {
      expect(fast).toEqual(full);
      expect(fast).not.toBe(values);
    }
    expect(Object.is(converted[0]?.[0]?.[':m'], 0)).toBe(true);
    expect(converted[5]?.[0]).not.toHaveProperty([':f']);
    expect(converted[6]?.[0]).toHaveProperty([':inherited'], 'x');
  });

  it("reads a request's key as stored: the caller's object when each attribute is a string or safe number, else converted as any item", () => {
    // arrange
    const plain = { pk: 'CUSTOMER#c1', sk: 7 };
    const others: object[] = [
      { pk: 'p', sk: -0 },
      { pk: 'p', sk: 2 ** 60 },
      { pk: 'p', sk: undefined },
      { pk: 'p', sk: true },
      { pk: 'p', sk: null },
      { pk: 'p', sk: new Uint8Array([1]) },
      Object.assign(Object.create({ sk: 'inherited' }), { pk: 'p' }),
    ];
    // act
    const asIs = storedRequestKey(plain);
    const converted = others.map((key): [Record<string, unknown>, Record<string, unknown>, object] => [
      storedRequestKey(key),
      storedRequestItem(key),
      key,
    ]);
    // assert
    expect(asIs).toBe(plain);
    for (const [fast, full, key] of converted) {
      expect(fast).toEqual(full);
      expect(fast).not.toBe(key);
    }
    expect(Object.is(converted[0]?.[0]?.sk, 0)).toBe(true);
    expect(converted[2]?.[0]).not.toHaveProperty('sk');
    expect(converted[6]?.[0]).toHaveProperty('sk', 'inherited');
    expect(() => storedRequestKey(JSON.parse('{"pk": "p", "__proto__": "x"}') as object)).toThrow(
      /__proto__/,
    );
  });

  it("refuses `__proto__` among a request's values as it refuses it in an item", () => {
    // arrange
    const values = JSON.parse('{":s": "text", "__proto__": "x"}') as object;
    // act
    const read = () => storedRequestValues(values);
    // assert
    expect(read).toThrow(/__proto__/);
  });
});
