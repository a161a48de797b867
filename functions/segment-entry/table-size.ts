import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type TableSize = { items: number; bytes: number };

/**
 * The profiles table's size as DynamoDB last measured it (about every six
 * hours: a table filled since reads smaller), or why it cannot be told — the
 * run then takes the most Scan segments rather than fail.
 */
export async function tableSize(db: DynamoDBClient, table: string): Promise<TableSize | { unknown: string }> {
  try {
    const out = await db.send(new DescribeTableCommand({ TableName: table }));
    const items = out.Table?.ItemCount;
    const bytes = out.Table?.TableSizeBytes;
    if (items === undefined || bytes === undefined) return { unknown: 'DescribeTable gave no size' };
    return { items, bytes };
  } catch (error) {
    // Throttled or refused: the run goes ahead; only its number of segments is a guess.
    return { unknown: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
