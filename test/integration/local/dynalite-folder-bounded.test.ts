import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iteratorStream } from '#infra/local/services/dynamodb/closed-iterators.ts';
import { type LocalDynamo, localTableName, startDynamo } from '#infra/local/services/dynamodb/dynalite.ts';
import { PROFILES_TABLE } from '#shared/tables.ts';

/**
 * The local runtime's data folder holds what the tables hold, not their history: LevelDB deletes a table
 * file once compacted away, unless an iterator left open still sees it (dynalite's query and scan streams
 * once left theirs open).
 */

const KEYS = 10;
const ITEM_BYTES = 100_000;
const PUTS = 1_500;
/** LevelDB stops writes at 12 level-0 files of one write buffer (4 MiB) each, however far compaction lags. */
const LEVEL0_MOST_BYTES = 12 * 4 * 1024 * 1024;
/** Level 1 holds at most 10 MB; here it holds the live items (1 MB). */
const LEVEL1_MOST_BYTES = 10 * 1024 * 1024;

type Level = {
  put(key: string, value: string): Promise<void>;
  values(): Parameters<typeof iteratorStream>[0];
  close(): Promise<void>;
};
/** The in-memory database dynalite keeps its tables in when given no folder. */
const { MemoryLevel } = createRequire(createRequire(import.meta.url).resolve('dynalite'))('memory-level') as {
  MemoryLevel: new () => Level;
};

let dir: string;
let dynamo: LocalDynamo;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journeys-ldb-'));
  dynamo = await startDynamo(dir, 0);
});
afterAll(async () => {
  await dynamo.stop();
  await rm(dir, { recursive: true, force: true });
});

async function tableFileBytes(): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(dir))
    if (name.endsWith('.ldb')) bytes += (await stat(join(dir, name))).size;
  return bytes;
}

describe("the local runtime's DynamoDB folder", () => {
  it('stays bounded by the live data under many overwrites, queries and scans', async () => {
    // arrange: a few profiles overwritten again and again, each write followed by a query and, now and then, a scan
    const TableName = localTableName(PROFILES_TABLE);
    const blob = 'x'.repeat(ITEM_BYTES);
    // act
    for (let n = 0; n < PUTS; n += 1) {
      const userId = `u-${n % KEYS}`;
      await dynamo.client.send(
        new PutItemCommand({ TableName, Item: { userId: { S: userId }, blob: { S: `${n}${blob}` } } }),
      );
      await dynamo.client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': { S: userId } },
          ProjectionExpression: 'userId',
          Limit: 1,
        }),
      );
      if (n % 50 === 0)
        await dynamo.client.send(new ScanCommand({ TableName, ProjectionExpression: 'userId', Limit: 2 }));
    }
    // assert: what compaction may not have reached yet, and the live items; a folder that keeps what was
    // compacted away holds most of the 150 MB written (125 MB when the iterators stayed open)
    expect(await tableFileBytes()).toBeLessThan(LEVEL0_MOST_BYTES + LEVEL1_MOST_BYTES);
  });
});

describe('a stream over a LevelDB iterator', () => {
  it('closes the iterator when read to its end and when its reader stops early', async () => {
    // arrange
    const db = new MemoryLevel();
    for (let n = 0; n < 5; n += 1) await db.put(`k${n}`, `v${n}`);
    const whole = db.values();
    const early = db.values();
    // act: one stream read to the end, one destroyed after its first value
    const all: string[] = [];
    for await (const value of iteratorStream(whole)) all.push(value as string);
    const stream = iteratorStream(early);
    for await (const _ of stream) break;
    // assert: both iterators refuse to read on (closed), and the database closes with nothing left open
    expect(all).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    await expect(whole.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
    await expect(early.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
    await db.close();
  });
});
