import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('docs');
});
afterAll(async () => db.stop());

describe('x', () => {
  it('round trips', async () => {
    const hostile = JSON.parse(
      '{"constructor":{"name":"String"},"toString":"x","list":[{"constructor":{"name":"Set"}}],"prototype":{"hasOwnProperty":1}}',
    );
    await db.doc.send(
      new PutCommand({ TableName: db.tables.profiles, Item: { userId: 'a', data: hostile } }),
    );
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tables.profiles,
        Key: { userId: 'a' },
        UpdateExpression: 'SET #o = :o',
        ExpressionAttributeNames: { '#o': 'other' },
        ExpressionAttributeValues: { ':o': hostile },
      }),
    );
    const got = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: 'a' } }));
    expect(got.Item).toEqual({ userId: 'a', data: hostile, other: hostile });
  });
});
