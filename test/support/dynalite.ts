import type { AddressInfo } from 'node:net';
import { setTimeout as later } from 'node:timers/promises';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { closeDynaliteIterators } from '#infra/local/services/dynamodb/closed-iterators.ts';
import { cacheExpressionParsing } from '#infra/local/services/dynamodb/expression-cache.ts';
import { type InProcessConfig, inProcessConfig } from '#infra/local/services/dynamodb/in-process.ts';
import { localDocumentClient } from '#infra/local/services/dynamodb/local-document-client.ts';
import { measureItemsInUtf8 } from '#infra/local/services/dynamodb/utf8-item-size.ts';
import { TABLES } from '#shared/tables.ts';
import { keepIdleConnections } from './idle-connections.ts';

/** A dynalite server on a free loopback port, with every table of shared/tables.ts created. */
export type LocalDynamo = {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** The SDK request handler and signer that reach this dynalite in-process, for a client of a test's own. */
  inProcess: InProcessConfig;
  tables: Record<(typeof TABLES)[number]['id'], string>;
  stop: () => Promise<void>;
};

export async function startDynalite(prefix = 'test'): Promise<LocalDynamo> {
  cacheExpressionParsing();
  closeDynaliteIterators();
  measureItemsInUtf8();
  const server = keepIdleConnections(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // The tests' clients reach dynalite in-process, as the local runtime's handlers do; a proxy or another client uses the port.
  const inProcess = inProcessConfig(server);
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...inProcess,
  };
  const client = new DynamoDBClient(config);
  const doc = localDocumentClient(config);
  const tables = {} as LocalDynamo['tables'];
  for (const table of TABLES) {
    const name = `${prefix}-${table.id}`;
    await createTable(client, table, name);
    tables[table.id] = name;
  }
  for (const name of Object.values(tables)) await untilActive(client, name);
  return {
    endpoint,
    client,
    doc,
    inProcess,
    tables,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type TableId = (typeof TABLES)[number]['id'];

/**
 * One more table of a kind on a running dynalite, named `name`: for a test whose handler reads a
 * whole table (a segment run's Scan), so that what other tests write there is not in its reading.
 */
export async function addTable(db: Pick<LocalDynamo, 'client'>, id: TableId, name: string): Promise<string> {
  const table = TABLES.find((t) => t.id === id);
  if (table === undefined) throw new Error(`no table ${id}`);
  await createTable(db.client, table, name);
  await untilActive(db.client, name);
  return name;
}

async function createTable(client: DynamoDBClient, table: (typeof TABLES)[number], name: string) {
  const keys = [table.partitionKey, ...('sortKey' in table ? [table.sortKey] : [])];
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
      KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
    }),
  );
}

/** dynalite makes a new table ACTIVE on a timer after answering: a first call in-process could come before it. */
async function untilActive(client: DynamoDBClient, name: string) {
  while ((await client.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE')
    await later(0);
}
