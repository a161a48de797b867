import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storableCommandInput, UnstorableKeyError } from '#functions/_lib/clients/dynamo-documents.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { canonical, hostileBag } from '../../support/hostile-keys.ts';

/**
 * The product's document client against dynalite: a document whose maps use
 * keys named like prototype members, at any depth and in lists, is stored and
 * read back exactly by every kind of write; `__proto__` as a key is refused
 * with its path before anything is written; class instances stay refused.
 */

let db: LocalDynamo;
let table: string;
let n = 0;
const nextId = () => `doc-${++n}`;

async function read(userId: string) {
  const { Item } = await db.doc.send(new GetCommand({ TableName: table, Key: { userId } }));
  return Item;
}

beforeAll(async () => {
  db = await startDynalite('docs');
  table = db.tables.profiles;
});
afterAll(async () => db.stop());

describe('documents with keys named like prototype members', () => {
  it('are stored and read back exactly by put, update and batches', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBag(4), async (doc) => {
        const [put, updated, batched] = [nextId(), nextId(), nextId()];
        await db.doc.send(new PutCommand({ TableName: table, Item: { userId: put, doc } }));
        await db.doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { userId: updated },
            UpdateExpression: 'SET #d = :d, #l = :l',
            ExpressionAttributeNames: { '#d': 'doc', '#l': 'list' },
            ExpressionAttributeValues: { ':d': doc, ':l': [doc] },
          }),
        );
        await db.doc.send(
          new BatchWriteCommand({
            RequestItems: { [table]: [{ PutRequest: { Item: { userId: batched, doc } } }] },
          }),
        );

        const expected = canonical(doc);
        expect(canonical((await read(put))?.doc)).toBe(expected);
        expect(canonical((await read(updated))?.doc)).toBe(expected);
        expect(canonical((await read(updated))?.list)).toBe(canonical([doc]));
        const batch = await db.doc.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: [{ userId: batched }] } } }),
        );
        expect(canonical(batch.Responses?.[table]?.[0]?.doc)).toBe(expected);
      }),
      { numRuns: 40, seed: 20261201 },
    );
  });

  it('keeps a key named constructor whose value names a type, which the SDK alone stored as "[object Object]"', async () => {
    const userId = nextId();
    const doc = { constructor: { name: 'String' }, list: [{ constructor: { name: 'Set' } }] };
    await db.doc.send(new PutCommand({ TableName: table, Item: { userId, doc } }));

    expect(canonical((await read(userId))?.doc)).toBe(canonical(doc));
  });

  it.each([
    ['at the top of a map', '{"__proto__": 1}', 'Item.doc.__proto__'],
    ['deep in a map', '{"a": {"b": {"__proto__": {"x": 1}}}}', 'Item.doc.a.b.__proto__'],
    ['in a list', '{"l": [1, {"__proto__": "x"}]}', 'Item.doc.l[1].__proto__'],
  ])('refuses __proto__ as a key %s, naming the path, and writes nothing', async (_where, json, path) => {
    const userId = nextId();
    const doc: unknown = JSON.parse(json);

    const write = db.doc.send(new PutCommand({ TableName: table, Item: { userId, doc } }));

    await expect(write).rejects.toThrow(UnstorableKeyError);
    await expect(write).rejects.toThrow(`${path}: "__proto__" cannot be stored as a key`);
    expect(await read(userId)).toBeUndefined();
  });

  it('still refuses a class instance stored by mistake', async () => {
    const write = db.doc.send(
      new PutCommand({ TableName: table, Item: { userId: nextId(), at: new Date(0) } }),
    );

    await expect(write).rejects.toThrow(/Unsupported type passed/);
  });
});

describe('storableCommandInput', () => {
  it('returns an input with nothing to convert as it is, and never changes the one it is given', () => {
    const plain = { TableName: 't', Item: { userId: 'u', m: { a: [1, { b: 2 }] } } };
    const hostile = { TableName: 't', Item: { userId: 'u', m: { constructor: 'x' } } };
    const before = JSON.stringify(hostile);

    const converted = storableCommandInput(hostile);

    expect(storableCommandInput(plain)).toBe(plain);
    expect(converted).not.toBe(hostile);
    expect(converted.Item.m).toBeInstanceOf(Map);
    expect(JSON.stringify(hostile)).toBe(before);
    expect(Object.getPrototypeOf(hostile.Item.m)).toBe(Object.prototype);
  });

  it('finds the documents of transactions and batch gets (dynalite has no transactions to run them)', () => {
    const m = { constructor: 'x' };
    const input = storableCommandInput({
      TransactItems: [
        { Put: { TableName: 't', Item: { m } } },
        { Update: { Key: { k: 'a' }, ExpressionAttributeValues: { ':m': m } } },
      ],
      RequestItems: { t: { Keys: [{ m }] } },
    });

    expect(input.TransactItems[0]?.Put?.Item.m).toBeInstanceOf(Map);
    expect(input.TransactItems[1]?.Update?.ExpressionAttributeValues[':m']).toBeInstanceOf(Map);
    expect(input.RequestItems.t.Keys[0]?.m).toBeInstanceOf(Map);
  });
});
