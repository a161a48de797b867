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
 * The attributes that mark a count not yet known written (docs/counts.md):
 * on an enrollment item, a waiter and a feedback record.
 */
const PENDING_COUNTS = [
  'enrolledPending',
  'convertedPending',
  'endedPending',
  'receivedPending',
  'countPending',
];

/** An expired item deleted with a count still pending on it: that count will not be written. */
export type ExpiredPending = { table: string; key: string; journeyId?: string; pending: string[] };

/**
 * DynamoDB's Time to Live, which dynalite lacks: deletes the items whose TTL
 * attribute (epoch seconds) is before `nowSeconds` (journey time) from every
 * table that has one. As on AWS, an item is deleted only if it is still
 * expired at that instant (a condition on the delete), and nothing may rely
 * on when it happens — AWS takes up to a few days. Resolves with how many
 * items were deleted. An item deleted with a count pending on it is told to
 * `onPending` (a count the retries gave up on, which only the TTL ends).
 */
export async function deleteExpired(
  client: DynamoDBClient,
  nowSeconds: number,
  tables: readonly TableDefinition[] = TABLES,
  onPending: (lost: ExpiredPending) => void = () => {},
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
        const old = await deleteIfExpired(client, { table: localTableName(table), ttl, now }, key);
        if (old === undefined) continue;
        deleted += 1;
        const pending = PENDING_COUNTS.filter((name) => old[name] !== undefined);
        if (pending.length === 0) continue;
        const journeyId = old.journeyId?.S;
        const id = keys.map((k) => key[k]?.S ?? key[k]?.N ?? '').join(' ');
        onPending({ table: table.id, key: id, pending, ...(journeyId === undefined ? {} : { journeyId }) });
      }
    }
  }
  return deleted;
}

async function deleteIfExpired(
  client: DynamoDBClient,
  { table, ttl, now }: { table: string; ttl: string; now: AttributeValue },
  key: Record<string, AttributeValue>,
): Promise<Record<string, AttributeValue> | undefined> {
  try {
    const out = await client.send(
      new DeleteItemCommand({
        TableName: table,
        Key: key,
        // Written again with a later expiry since the scan: it lives on.
        ConditionExpression: '#ttl < :now',
        ExpressionAttributeNames: { '#ttl': ttl },
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes ?? {};
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
