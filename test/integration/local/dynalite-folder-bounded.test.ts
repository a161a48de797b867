import { mkdtemp, rm } from 'node:fs/promises';
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
const PUTS = 300;

type Resource = { constructor: { name: string } };
type Level = {
  put(key: string, value: string): Promise<void>;
  values(): Parameters<typeof iteratorStream>[0];
  close(): Promise<void>;
};
const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
/** The in-memory database dynalite keeps its tables in when given no folder. */
const { MemoryLevel } = fromDynalite('memory-level') as { MemoryLevel: new () => Level };
/** Every abstract-level database (LevelDB on disk, memory-level) attaches an iterator while it is open. */
const { AbstractLevel } = fromDynalite('abstract-level') as {
  AbstractLevel: {
    prototype: { attachResource(r: Resource): void; detachResource(r: Resource): void };
  };
};

let dir: string;
let dynamo: LocalDynamo;
/** The iterators of dynalite's database that are open now. */
const open = new Set<Resource>();
const { attachResource, detachResource } = AbstractLevel.prototype;

beforeAll(async () => {
  AbstractLevel.prototype.attachResource = function (this: unknown, resource: Resource) {
    if (/Iterator/.test(resource.constructor.name)) open.add(resource);
    attachResource.call(this, resource);
  };
  AbstractLevel.prototype.detachResource = function (this: unknown, resource: Resource) {
    open.delete(resource);
    detachResource.call(this, resource);
  };
  dir = await mkdtemp(join(tmpdir(), 'journeys-ldb-'));
  dynamo = await startDynamo(dir, 0);
});
afterAll(async () => {
  await dynamo.stop();
  AbstractLevel.prototype.attachResource = attachResource;
  AbstractLevel.prototype.detachResource = detachResource;
  await rm(dir, { recursive: true, force: true });
});

describe("the local runtime's DynamoDB folder", () => {
  it('leaves no iterator open after queries and scans, read whole or cut short by a limit', async () => {
    // arrange: a few profiles written again and again, each write followed by a query and, now and then, a scan
    const TableName = localTableName(PROFILES_TABLE);
    // act
    for (let n = 0; n < PUTS; n += 1) {
      const userId = `u-${n % KEYS}`;
      await dynamo.client.send(
        new PutItemCommand({ TableName, Item: { userId: { S: userId }, n: { N: String(n) } } }),
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
      if (n % 50 === 0) {
        await dynamo.client.send(new ScanCommand({ TableName, ProjectionExpression: 'userId', Limit: 2 }));
        await dynamo.client.send(new ScanCommand({ TableName, ProjectionExpression: 'userId' }));
      }
    }
    // assert: an iterator left open holds a snapshot, and LevelDB keeps every table file that snapshot
    // sees: the folder grew with every write, not with the data (125 MB for 150 MB written, 1 MB live)
    expect(open.size).toBe(0);
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
