import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Funnel counters per journey / version / step / variant. Each counter is
 * spread over SHARDS partition keys (a random shard per increment), because
 * every execution of a popular journey hits the same counters and one
 * partition takes 1,000 writes per second; readers sum the shards.
 */
export const SHARDS = 8;

export type StatKey = {
  journeyId: string;
  version: string;
  metric: string;
  stepId?: string;
  variant?: string;
};

function sortKey(key: StatKey): string {
  return [key.version, key.stepId ?? '-', key.variant ?? '-', key.metric].join('#');
}

export type StatRow = Required<Omit<StatKey, 'stepId' | 'variant'>> & {
  stepId?: string;
  variant?: string;
  count: number;
};

export class StatsRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly random: () => number = Math.random,
  ) {}

  /** Adds to a counter (not idempotent: callers count only after a conditional write that is). */
  async increment(key: StatKey, by = 1): Promise<void> {
    const shard = Math.floor(this.random() * SHARDS);
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `${key.journeyId}#${shard}`, sk: sortKey(key) },
        UpdateExpression: 'ADD #count :by',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':by': by },
      }),
    );
  }

  /** Every counter of a journey, shards summed. */
  async funnel(journeyId: string): Promise<StatRow[]> {
    const totals = new Map<string, number>();
    for (let shard = 0; shard < SHARDS; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `${journeyId}#${shard}` },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          const sk = typeof item.sk === 'string' ? item.sk : '';
          const count = typeof item.count === 'number' ? item.count : 0;
          totals.set(sk, (totals.get(sk) ?? 0) + count);
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }
    return [...totals.entries()].map(([sk, count]) => {
      const [version = '', stepId = '-', variant = '-', metric = ''] = sk.split('#');
      return {
        journeyId,
        version,
        metric,
        count,
        ...(stepId === '-' ? {} : { stepId }),
        ...(variant === '-' ? {} : { variant }),
      };
    });
  }
}
