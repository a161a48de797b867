import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type DayRow, type StatRow, StatsRepository } from '#functions/_lib/stats.ts';
import { STATS_TABLE } from '#shared/tables.ts';
import { localClientConfig } from './aws.ts';
import { localTableName, startDynamo } from './dynamodb.ts';
import { DEFAULT_PORTS } from './options.ts';

/**
 * Reads a journey's counters for the report: from the running local runtime,
 * from its data folder when it is not running, or from the deployed stats
 * table on AWS. Reading goes through the same repository the handlers write with.
 */

export type StatsSource =
  | { kind: 'local'; dataDir: string; endpoint?: string }
  | { kind: 'aws'; table: string; region?: string };

export type JourneyStats = { counters: StatRow[]; days: DayRow[] };

async function readWith(client: DynamoDBClient, table: string, journeyId: string): Promise<JourneyStats> {
  const doc = DynamoDBDocumentClient.from(client);
  return new StatsRepository(doc, table).read(journeyId);
}

function refused(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message} ${String(error.cause ?? '')}` : '';
  return /ECONNREFUSED|connect|socket hang up/i.test(text);
}

export async function readJourneyStats(source: StatsSource, journeyId: string): Promise<JourneyStats> {
  if (source.kind === 'aws') {
    const client = new DynamoDBClient(source.region === undefined ? {} : { region: source.region });
    try {
      return await readWith(client, source.table, journeyId);
    } finally {
      client.destroy();
    }
  }
  const table = localTableName(STATS_TABLE);
  const running = new DynamoDBClient({
    ...localClientConfig(source.endpoint ?? `http://127.0.0.1:${DEFAULT_PORTS.dynamodb}`),
    maxAttempts: 1,
  });
  try {
    return await readWith(running, table, journeyId);
  } catch (error) {
    if (!refused(error)) throw error;
  } finally {
    running.destroy();
  }
  // Not running: open its data folder for the time of one read.
  const dynamo = await startDynamo(join(source.dataDir, 'dynamodb'), 0);
  try {
    return await readWith(dynamo.client, table, journeyId);
  } finally {
    await dynamo.stop();
  }
}
