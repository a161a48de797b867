import { setTimeout as later } from 'node:timers/promises';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLES, type TableDefinition } from '#shared/tables.ts';
import { localClientConfig } from '../../runtime/aws.ts';
import { closeServer, type HeldPorts, listenOn, serve } from '../../runtime/listen.ts';
import { closeDynaliteIterators } from './closed-iterators.ts';
import { cacheExpressionParsing } from './expression-cache.ts';
import { type InProcessConfig, inProcessConfig } from './in-process.ts';
import { measureItemsInUtf8 } from './utf8-item-size.ts';

/** The physical table name the local runtime gives a logical table. */
export function localTableName(table: TableDefinition): string {
  return `journeys-${table.id}`;
}

export type LocalDynamo = {
  endpoint: string;
  client: DynamoDBClient;
  /** The SDK request handler and signer that reach this dynalite in-process (the handlers' clients use them). */
  inProcess: InProcessConfig;
  stop: () => Promise<void>;
};

/**
 * Starts dynalite on loopback with its data under `dir` (in memory when
 * undefined), and creates every table of `shared/tables.ts`.
 */
export async function startDynamo(
  dir: string | undefined,
  port: number,
  heldPorts?: HeldPorts,
): Promise<LocalDynamo> {
  cacheExpressionParsing();
  closeDynaliteIterators();
  measureItemsInUtf8();
  // Tables become ACTIVE at once: nothing local waits on CREATING.
  const server = dynalite({
    ...(dir === undefined ? {} : { path: dir }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const serving = await serve(server, 'dynamodb', port, heldPorts);
  // Dynalite closes its database when its server closes: mounted on a held port, it listens on a port of its own too.
  if (heldPorts !== undefined) await listenOn(server, 'dynamodb', 0);
  const endpoint = `http://127.0.0.1:${serving.port}`;
  const inProcess = inProcessConfig(server);
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), ...inProcess });
  for (const table of TABLES) await createTable(client, table);
  return {
    endpoint,
    client,
    inProcess,
    stop: async () => {
      client.destroy();
      await serving.close();
      if (heldPorts !== undefined) await closeServer(server);
    },
  };
}

async function createTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  const keys = table.sortKey === undefined ? [table.partitionKey] : [table.partitionKey, table.sortKey];
  const input: CreateTableCommandInput = {
    TableName: localTableName(table),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
    KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
  };
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    // Kept from an earlier run: the data directory survives restarts.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // dynalite makes a new table ACTIVE on a timer after answering; the handlers reach it in-process,
  // with no network time between: they find it ACTIVE on their first call.
  while (
    (await client.send(new DescribeTableCommand({ TableName: input.TableName }))).Table?.TableStatus !==
    'ACTIVE'
  )
    await later(0);
}
