import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentOptions } from '#functions/_lib/clients/dynamo.ts';
import type { TableDefinition } from '#shared/tables.ts';
import { localTableName, startDynamo } from '../services/dynamodb/dynalite.ts';
import { localClientConfig } from './aws.ts';
import { noRuntimeData } from './data-folder.ts';
import { runningOn } from './running.ts';

/**
 * The tables commands read (report, preview): the running local runtime's,
 * its data folder when it is not running, or the deployed ones on AWS.
 */

export type DataSource =
  | { kind: 'local'; dataDir: string; endpoint?: string }
  | { kind: 'aws'; tables: Partial<Record<string, string>>; region?: string };

export type OpenData = { doc: DynamoDBDocumentClient; table: (definition: TableDefinition) => string };

function refused(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message} ${String(error.cause ?? '')}` : '';
  return /ECONNREFUSED|connect|socket hang up/i.test(text);
}

/** Runs `read` against the source's tables, then closes what it opened. */
export async function withData<T>(source: DataSource, read: (data: OpenData) => Promise<T>): Promise<T> {
  if (source.kind === 'aws') {
    const client = new DynamoDBClient(source.region === undefined ? {} : { region: source.region });
    const table = (definition: TableDefinition) => {
      const name = source.tables[definition.id];
      if (name === undefined) throw new Error(`--aws needs the name of the deployed ${definition.id} table`);
      return name;
    };
    try {
      return await read({ doc: DynamoDBDocumentClient.from(client, documentOptions()), table });
    } finally {
      client.destroy();
    }
  }
  const owner = source.endpoint === undefined ? runningOn(source.dataDir) : undefined;
  const endpoint = source.endpoint ?? owner?.dynamodb;
  // No runtime runs on the folder: its own database, never whichever runtime answers on the default port.
  if (endpoint === undefined) return readFolder(source.dataDir, read);
  const running = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  try {
    return await read({
      doc: DynamoDBDocumentClient.from(running, documentOptions()),
      table: localTableName,
    });
  } catch (error) {
    if (!refused(error)) throw error;
    // Its database is open in that process: opening it here too would fail.
    if (owner !== undefined)
      throw new Error(
        `the local runtime (process ${owner.pid}) holds ${source.dataDir} but does not answer at ${endpoint}: wait for it to start, or stop it`,
      );
  } finally {
    running.destroy();
  }
  // Not running: open its data folder for the time of one read.
  return readFolder(source.dataDir, read);
}

/**
 * Opens a stopped runtime's database for the time of one read. A folder with
 * none is a mistaken --data-dir (or nothing has run yet): said so, rather than
 * creating an empty database there and reading nothing from it.
 */
async function readFolder<T>(dataDir: string, read: (data: OpenData) => Promise<T>): Promise<T> {
  const folder = join(dataDir, 'dynamodb');
  const missing = noRuntimeData(dataDir);
  if (missing !== undefined) throw new Error(missing);
  const dynamo = await startDynamo(folder, 0);
  try {
    return await read({
      doc: DynamoDBDocumentClient.from(dynamo.client, documentOptions()),
      table: localTableName,
    });
  } finally {
    await dynamo.stop();
  }
}
