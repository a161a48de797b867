import { setTimeout as later } from 'node:timers/promises';
import { CreateTableCommand, DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withData } from '#infra/local/runtime/data.ts';
import { localTableName } from '#infra/local/services/dynamodb/dynalite.ts';
import { PROFILES_TABLE } from '#shared/tables.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * The commands that read the runtime's tables (report, preview, trace) read
 * numbers as the handlers do: an event's number past 2^53 kept on a profile
 * is the same JavaScript number, not a BigInt no JSON output can print.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('data-numbers');
  await db.client.send(
    new CreateTableCommand({
      TableName: localTableName(PROFILES_TABLE),
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
    }),
  );
  // dynalite makes a new table ACTIVE on a timer after answering.
  const TableName = localTableName(PROFILES_TABLE);
  while ((await db.client.send(new DescribeTableCommand({ TableName }))).Table?.TableStatus !== 'ACTIVE')
    await later(0);
});
afterAll(async () => db.stop());

describe("reading the local runtime's tables", () => {
  it('reads a stored number past 2^53 as the number the event carried', async () => {
    // arrange: numbers as DynamoDB returns them, written out in full
    await db.client.send(
      new PutItemCommand({
        TableName: localTableName(PROFILES_TABLE),
        Item: {
          userId: { S: 'ana' },
          order: { N: '90071992547409940' },
          total: { N: '100000000000000000000' },
          huge: { N: `1${'0'.repeat(100)}` },
        },
      }),
    );
    // act
    const item = await withData(
      { kind: 'local', dataDir: '/nonexistent', endpoint: db.endpoint },
      async (data) => {
        const read = await data.doc.send(
          new GetCommand({ TableName: data.table(PROFILES_TABLE), Key: { userId: 'ana' } }),
        );
        return read.Item;
      },
    );
    // assert
    expect(item).toEqual({ userId: 'ana', order: JSON.parse('90071992547409930'), total: 1e20, huge: 1e100 });
  });
});
