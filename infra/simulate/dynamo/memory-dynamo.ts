import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLES } from '#shared/tables.ts';
import { memoryAttributeClient, memoryDocumentClient } from './memory-client.ts';
import { MemoryTables } from './memory-tables.ts';

type TableId = (typeof TABLES)[number]['id'];

/** Every table of shared/tables.ts in memory, with the two kinds of client the product uses. */
export type MemoryDynamo = {
  store: MemoryTables;
  doc: DynamoDBDocumentClient;
  client: DynamoDBClient;
  tables: Record<TableId, string>;
};

/** `hotItems`: items held as objects at once (MemoryTables); tests lower it so every item is packed and read back. */
export function memoryDynamo(prefix = 'sim', hotItems?: number): MemoryDynamo {
  const store = new MemoryTables(hotItems);
  const tables: Partial<Record<TableId, string>> = {};
  for (const def of TABLES) {
    const name = `${prefix}-${def.id}`;
    store.create(name, def);
    tables[def.id] = name;
  }
  const { profiles, journeys, deliveries, stats, enrollments } = tables;
  if (!profiles || !journeys || !deliveries || !stats || !enrollments) throw new Error('a table is missing');
  return {
    store,
    doc: memoryDocumentClient(store),
    client: memoryAttributeClient(store),
    tables: { profiles, journeys, deliveries, stats, enrollments },
  };
}
