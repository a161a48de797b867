import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * DynamoDB measures an item in UTF-8 bytes (strings and attribute names) and
 * refuses one over 400 KB. The local tables measure the same way, so a
 * profile of non-Latin traits that AWS would refuse is refused locally too.
 */
const LIMIT = 400 * 1024;
/** Three bytes each in UTF-8, one UTF-16 unit each. */
const CJK = '界';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('item-size');
});
afterAll(() => db.stop());

const put = (userId: string, item: Record<string, unknown>) =>
  db.doc.send(new PutCommand({ TableName: db.tables.profiles, Item: { userId, ...item } }));

describe('the local tables measure an item in UTF-8 bytes', () => {
  it('refuse a put whose strings fit in UTF-16 units but not in UTF-8 bytes', async () => {
    const text = CJK.repeat(Math.ceil(LIMIT / 3) + 10);
    expect(text.length).toBeLessThan(LIMIT / 2);

    await expect(put('cjk', { text })).rejects.toThrow(/maximum allowed size/);
  });

  it('refuse an update that takes the item over the limit in UTF-8 bytes', async () => {
    await put('grows', { a: CJK.repeat(60_000) });

    const grow = db.doc.send(
      new UpdateCommand({
        TableName: db.tables.profiles,
        Key: { userId: 'grows' },
        UpdateExpression: 'SET #b = :b',
        ExpressionAttributeNames: { '#b': 'b' },
        ExpressionAttributeValues: { ':b': CJK.repeat(80_000) },
      }),
    );

    await expect(grow).rejects.toThrow(/maximum allowed size/);
  });

  it('count the bytes of names in maps, lists and sets', async () => {
    const name = `${CJK.repeat(100)}-`;
    const traits = Object.fromEntries(Array.from({ length: 1_400 }, (_, i) => [`${name}${i}`, 1]));

    await expect(put('names', { traits, tags: new Set([CJK.repeat(20)]) })).rejects.toThrow(
      /maximum allowed size/,
    );
  });

  it('keep an item of ASCII just under the limit', async () => {
    await expect(put('ascii', { text: 'a'.repeat(LIMIT - 1_000) })).resolves.toBeDefined();
  });
});
