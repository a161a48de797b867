import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { memoryDynamo } from '#infra/simulate/dynamo/memory-dynamo.ts';

/**
 * A Put or Delete that neither tests a condition nor returns the old item
 * needs only its size (billed, kept beside it): a packed item is replaced or
 * dropped without being read back. One that reads it still does, and every
 * answer and unit is as before.
 */

async function packedProfile(userId: string) {
  // One item held as objects: writing another packs the first.
  const db = memoryDynamo('packed', 1);
  const TableName = db.tables.profiles;
  await db.doc.send(new PutCommand({ TableName, Item: { userId, note: 'x'.repeat(3000) } }));
  await db.doc.send(new PutCommand({ TableName, Item: { userId: 'other' } }));
  return { db, TableName, before: { ...db.store.capacity }, unpacked: db.store.unpacked };
}

describe('writes over packed items', () => {
  it('replaces and deletes a packed item without unpacking it, billing its size as before', async () => {
    // arrange
    const replaced = await packedProfile('u');
    const deleted = await packedProfile('u');
    // act
    await replaced.db.doc.send(
      new PutCommand({ TableName: replaced.TableName, Item: { userId: 'u', note: 'short' } }),
    );
    await deleted.db.doc.send(new DeleteCommand({ TableName: deleted.TableName, Key: { userId: 'u' } }));
    // assert
    expect(replaced.db.store.unpacked - replaced.unpacked).toBe(0);
    expect(deleted.db.store.unpacked - deleted.unpacked).toBe(0);
    // 3 KB before: three write units each, as for an item held as objects.
    expect(replaced.db.store.capacity.writes - replaced.before.writes).toBe(3);
    expect(deleted.db.store.capacity.writes - deleted.before.writes).toBe(3);
    const { Item } = await replaced.db.doc.send(
      new GetCommand({ TableName: replaced.TableName, Key: { userId: 'u' } }),
    );
    expect(Item).toEqual({ userId: 'u', note: 'short' });
    expect(deleted.db.store.count(deleted.TableName)).toBe(1);
  });

  it('unpacks the old item for a condition or a returned old item, with the same answers', async () => {
    // arrange
    const conditional = await packedProfile('u');
    const returning = await packedProfile('u');
    // act
    const refused = conditional.db.doc.send(
      new PutCommand({
        TableName: conditional.TableName,
        Item: { userId: 'u' },
        ConditionExpression: 'attribute_not_exists(userId)',
      }),
    );
    await expect(refused).rejects.toThrow(/conditional request failed/);
    const { Attributes } = await returning.db.doc.send(
      new DeleteCommand({ TableName: returning.TableName, Key: { userId: 'u' }, ReturnValues: 'ALL_OLD' }),
    );
    // assert
    expect(conditional.db.store.unpacked - conditional.unpacked).toBe(1);
    expect(returning.db.store.unpacked - returning.unpacked).toBe(1);
    expect(Attributes).toEqual({ userId: 'u', note: 'x'.repeat(3000) });
  });
});
