import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDefinition } from '#shared/tables.ts';
import { localTableName } from './dynalite.ts';

/**
 * DynamoDB's Time to Live, which dynalite lacks: deletes the items whose TTL
 * attribute (epoch seconds) is before `nowSeconds` (journey time) from every
 * table that has one. As on AWS, an item is deleted only if it is still
 * expired at that instant (a condition on the delete), and nothing may rely
 * on when it happens — AWS takes up to a few days. Resolves with how many
 * items were deleted.
 */
export async function deleteExpired(
  client: DynamoDBClient,
  nowSeconds: number,
  tables: readonly TableDefinition[] = TABLES,
): Promise<number> {
  let deleted = 0;
  const now: AttributeValue = { N: String(Math.floor(nowSeconds)) };
  for (const table of tables) {
    const ttl = table.timeToLiveAttribute;
    if (ttl === undefined) continue;
    const keys = [table.partitionKey.name, ...(table.sortKey === undefined ? [] : [table.sortKey.name])];
    const names = Object.fromEntries(keys.map((k, i) => [`#k${i}`, k]));
    const pages = paginateScan(
      { client },
      {
        TableName: localTableName(table),
        FilterExpression: '#ttl < :now',
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: { ...names, '#ttl': ttl },
        ExpressionAttributeValues: { ':now': now },
      },
    );
    for await (const page of pages) {
      for (const key of page.Items ?? []) {
        if (await deleteIfExpired(client, { table: localTableName(table), ttl, now }, key)) deleted += 1;
      }
    }
  }
  return deleted;
}

async function deleteIfExpired(
  client: DynamoDBClient,
  { table, ttl, now }: { table: string; ttl: string; now: AttributeValue },
  key: Record<string, AttributeValue>,
): Promise<boolean> {
  try {
    await client.send(
      new DeleteItemCommand({
        TableName: table,
        Key: key,
        // Written again with a later expiry since the scan: it lives on.
        ConditionExpression: '#ttl < :now',
        ExpressionAttributeNames: { '#ttl': ttl },
        ExpressionAttributeValues: { ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
