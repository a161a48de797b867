import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { itemSize } from '#functions/_lib/profile-compaction.ts';
import { TABLES, type TableDefinition } from '#shared/tables.ts';

/** What a table holds at the end of a stream: its items, the largest, and those with no expiry. */
export type TableFigures = {
  table: string;
  items: number;
  maxBytes: number;
  largest: string;
  withoutTtl: number;
};

/** Scans every table of a run (`tables`: logical id → physical name) for its item count and largest item. */
export async function storedTables(
  doc: DynamoDBDocumentClient,
  tables: Readonly<Record<string, string>>,
): Promise<TableFigures[]> {
  const figures: TableFigures[] = [];
  for (const table of TABLES as readonly TableDefinition[]) {
    const name = tables[table.id];
    if (name === undefined) continue;
    const row: TableFigures = { table: table.id, items: 0, maxBytes: 0, largest: '', withoutTtl: 0 };
    for await (const page of paginateScan({ client: doc }, { TableName: name })) {
      for (const item of page.Items ?? []) {
        row.items += 1;
        if (table.timeToLiveAttribute === undefined || item[table.timeToLiveAttribute] === undefined)
          row.withoutTtl += 1;
        const bytes = itemSize(item);
        if (bytes <= row.maxBytes) continue;
        row.maxBytes = bytes;
        const sort = table.sortKey === undefined ? '' : ` ${String(item[table.sortKey.name])}`;
        row.largest = `${String(item[table.partitionKey.name])}${sort}`.slice(0, 60);
      }
    }
    figures.push(row);
  }
  return figures;
}

export function printTables(figures: readonly TableFigures[]): void {
  console.log('  stored at the end: table       items  no TTL  largest item');
  for (const f of figures)
    console.log(
      `    ${f.table.padEnd(24)} ${String(f.items).padStart(6)}  ${String(f.withoutTtl).padStart(6)}  ${String(f.maxBytes).padStart(6)} B  ${f.largest}`,
    );
}
