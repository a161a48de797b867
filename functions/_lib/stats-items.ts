import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryItems } from '#functions/_lib/clients/document-calls.ts';

/**
 * The partition keys a journey's stats items are spread over: `<journey>#<shard>`.
 * Every item is written to one of them (functions/_lib/stats.ts); readers sum them.
 */
export const SHARDS = 8;

/**
 * Every stats item of a journey, shard by shard and page by page, with the
 * partition key it was read from; `projection` reads only those attributes.
 * Stopping the loop early reads no further page.
 */
export async function* journeyStatsItems(
  db: DynamoDBDocumentClient,
  table: string,
  journeyId: string,
  projection?: string,
): AsyncGenerator<{ pk: string; item: Record<string, unknown> }> {
  for (let shard = 0; shard < SHARDS; shard++) {
    const pk = `${journeyId}#${shard}`;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await queryItems(db, {
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ...(projection === undefined ? {} : { ProjectionExpression: projection }),
        ExclusiveStartKey: start,
      });
      for (const item of page.Items ?? []) yield { pk, item };
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
}
