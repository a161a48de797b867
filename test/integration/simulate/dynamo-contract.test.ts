import { GetItemCommand, ScanCommand as RawScan, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { memoryDynamo } from '#infra/simulate/dynamo/memory-dynamo.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { awaitDepsOf, ingestDeps, registerJourney } from '../functions/harness.ts';

/**
 * One contract, two implementations: every case runs against dynalite and
 * against the simulation's in-memory tables, and both must give the same
 * answers, the same errors and the same stored items.
 */

type Backend = Pick<LocalDynamo, 'doc' | 'client' | 'tables'>;
const backends: { name: string; db: Backend }[] = [];
let dynalite: LocalDynamo;

beforeAll(async () => {
  dynalite = await startDynalite('contract');
  backends.push(
    { name: 'dynalite', db: dynalite },
    { name: 'memory', db: memoryDynamo('contract') },
    // Every item packed as soon as another is used: what is read back from packed items must not differ.
    { name: 'memory, packed', db: memoryDynamo('contract', 1) },
  );
});
afterAll(async () => dynalite.stop());

const TIMESTAMP = '2026-11-24T09:59:00Z';
let sequence = 0;
/** Events with ids from a sequence each backend restarts, so both see the same ids. */
function track(userId: string, event: string, properties: Record<string, unknown>) {
  sequence += 1;
  return { type: 'track', userId, event, properties, timestamp: TIMESTAMP, messageId: `m-${sequence}` };
}
function identify(userId: string, traits: Record<string, unknown>) {
  sequence += 1;
  return { type: 'identify', userId, traits, timestamp: TIMESTAMP, messageId: `m-${sequence}` };
}

/** What a call gives: its output without metadata, or its error name and whether it carries the old item. */
async function outcome(call: () => Promise<object>): Promise<unknown> {
  try {
    const { $metadata: _m, ...out } = { $metadata: undefined, ...(await call()) };
    return { ok: out };
  } catch (error) {
    return { error: error instanceof Error ? error.name : String(error) };
  }
}

async function dump(db: Backend): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [id, table] of Object.entries(db.tables)) {
    const { Items = [] } = await db.doc.send(new ScanCommand({ TableName: table }));
    out[id] = Items.map((item) => JSON.stringify(sorted(item))).sort();
  }
  return out;
}

function sorted(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Set) return [...value].sort();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, sorted(v)]),
    );
  return value;
}

/** Runs the same steps on every backend and returns each backend's results (the two in-memory ones must agree). */
async function onBoth(steps: (doc: DynamoDBDocumentClient, db: Backend) => Promise<unknown[]>) {
  const results: unknown[][] = [];
  for (const { db } of backends) results.push(await steps(db.doc, db));
  expect(results[2]).toEqual(results[1]);
  return results;
}

describe('in-memory DynamoDB: the contract it shares with dynalite', () => {
  it('answers item operations, conditions and return values alike', async () => {
    // arrange
    const steps = async (doc: DynamoDBDocumentClient, db: Backend) => {
      const TableName = db.tables.enrollments;
      const Key = { userId: 'u1', sk: 'e#1' };
      return [
        await outcome(() =>
          doc.send(new PutCommand({ TableName, Item: { ...Key, n: 1, tags: new Set(['a']) } })),
        ),
        await outcome(() =>
          doc.send(new PutCommand({ TableName, Item: Key, ConditionExpression: 'attribute_not_exists(sk)' })),
        ),
        await outcome(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression:
                'SET #n = #n + :one, f = if_not_exists(f, :first), bin = :bin ADD tags :more, c :one REMOVE gone',
              ConditionExpression: '#n < :ten AND (attribute_not_exists(f) OR f <> :first)',
              ExpressionAttributeNames: { '#n': 'n' },
              ExpressionAttributeValues: {
                ':one': 1,
                ':ten': 10,
                ':first': 'x',
                ':more': new Set(['b']),
                ':bin': Uint8Array.from([1, 2, 3]),
              },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        ),
        await outcome(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression: 'SET f = :y DELETE tags :a',
              ConditionExpression: 'bin <> :bin',
              ExpressionAttributeValues: {
                ':y': 'y',
                ':a': new Set(['a']),
                ':bin': Uint8Array.from([1, 2, 3]),
              },
            }),
          ),
        ),
        await outcome(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression: 'SET f = :y DELETE tags :a',
              ExpressionAttributeValues: { ':y': 'y', ':a': new Set(['a']) },
              ReturnValues: 'UPDATED_OLD',
            }),
          ),
        ),
        await outcome(() => doc.send(new GetCommand({ TableName, Key, ProjectionExpression: 'n, tags' }))),
        await outcome(() => doc.send(new GetCommand({ TableName, Key: { userId: 'nobody', sk: 'x' } }))),
        await outcome(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key: { userId: 'u2', sk: 'e#1' },
              UpdateExpression: 'ADD c :one',
              ExpressionAttributeValues: { ':one': 2 },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        ),
        await outcome(() =>
          doc.send(
            new DeleteCommand({
              TableName,
              Key: { userId: 'u2', sk: 'e#1' },
              ConditionExpression: 'c = :three',
              ExpressionAttributeValues: { ':three': 3 },
            }),
          ),
        ),
        await outcome(() =>
          doc.send(
            new DeleteCommand({ TableName, Key: { userId: 'u2', sk: 'e#1' }, ReturnValues: 'ALL_OLD' }),
          ),
        ),
      ];
    };
    // act
    const [onDynalite, inMemory] = await onBoth(steps);
    // assert
    expect(inMemory).toEqual(onDynalite);
    expect(inMemory?.[1]).toEqual({ error: 'ConditionalCheckFailedException' });
    expect(inMemory?.[3]).toEqual({ error: 'ConditionalCheckFailedException' });
  });

  it('stores numbers past 2^53 as the doubles they are and reads them back alike', async () => {
    // arrange: event numbers past 2^53 (written as doubles), their sums, and exact integers DynamoDB adds (counters)
    const steps = async (doc: DynamoDBDocumentClient, db: Backend) => {
      const TableName = db.tables.enrollments;
      const Key = { userId: 'u-big', sk: 'e#1' };
      const order: number = JSON.parse('90071992547409930');
      const Item = {
        ...Key,
        order,
        big: 1e20,
        huge: 1.5e25,
        tiny: 1e-7,
        list: [-order, 1e21],
        m: { x: 6e125 },
      };
      return [
        await outcome(() => doc.send(new PutCommand({ TableName, Item }))),
        await outcome(() => doc.send(new GetCommand({ TableName, Key }))),
        await outcome(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression: 'SET big = big + :big, c = if_not_exists(c, :base) + :one ADD huge :one',
              ConditionExpression: '#o = :order',
              ExpressionAttributeNames: { '#o': 'order' },
              ExpressionAttributeValues: {
                ':big': 1e20,
                ':base': 1_772_445_600_000_000_000_000n,
                ':one': 1,
                ':order': order,
              },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        ),
      ];
    };
    // act
    const [onDynalite, inMemory] = await onBoth(steps);
    // assert
    expect(inMemory).toEqual(onDynalite);
    const read = (inMemory?.[1] as { ok: { Item: Record<string, unknown> } } | undefined)?.ok.Item;
    expect(read).toMatchObject({
      order: 90071992547409940,
      big: 1e20,
      huge: 1.5e25,
      list: [-90071992547409940, 1e21],
    });
    const updated = (inMemory?.[2] as { ok: { Attributes: Record<string, unknown> } } | undefined)?.ok
      .Attributes;
    expect(updated).toMatchObject({
      big: 2e20,
      huge: 15_000_000_000_000_000_000_000_001n,
      c: 1_772_445_600_000_000_000_001n,
    });
  });

  it('measures an item in UTF-8 bytes alike: strings and names of non-Latin text count what AWS counts', async () => {
    // arrange: items that fit in 400 KB counted in UTF-16 units, not in UTF-8 bytes ('界' is 3 bytes)
    const wide = '界';
    const names = Object.fromEntries(Array.from({ length: 1_400 }, (_, i) => [`${wide.repeat(100)}${i}`, 1]));
    const steps = async (doc: DynamoDBDocumentClient, db: Backend) => {
      const TableName = db.tables.profiles;
      return [
        await outcome(() =>
          doc.send(new PutCommand({ TableName, Item: { userId: 'w1', text: wide.repeat(140_000) } })),
        ),
        await outcome(() => doc.send(new PutCommand({ TableName, Item: { userId: 'w2', traits: names } }))),
        await outcome(() =>
          doc.send(new PutCommand({ TableName, Item: { userId: 'w3', a: wide.repeat(60_000) } })),
        ),
        await outcome(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key: { userId: 'w3' },
              UpdateExpression: 'SET b = :b',
              ExpressionAttributeValues: { ':b': wide.repeat(80_000) },
            }),
          ),
        ),
      ];
    };
    // act
    const [onDynalite, inMemory] = await onBoth(steps);
    // assert
    expect(inMemory).toEqual(onDynalite);
    expect(inMemory).toEqual([
      { error: 'ValidationException' },
      { error: 'ValidationException' },
      { ok: {} },
      { error: 'ValidationException' },
    ]);
  });

  it('returns the updated paths of nested maps and lists alike (UPDATED_NEW, UPDATED_OLD)', async () => {
    // arrange: an item with a nested map and a list, updated inside both, one attribute set to itself
    const steps = async (doc: DynamoDBDocumentClient, db: Backend) => {
      const TableName = db.tables.enrollments;
      const Key = { userId: 'u-nested', sk: 'e#1' };
      // Each from the same item: UPDATED_OLD shows what the paths held before.
      const update = async (ReturnValues: 'UPDATED_NEW' | 'UPDATED_OLD') => {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...Key, m: { a: 1, b: { c: 2, d: 3 } }, l: [1, 2, 3, 4], same: 's', other: 'o' },
          }),
        );
        return outcome(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression:
                'SET #m.#b.c = :nine, #l[2] = :x, #l[0] = :x, same = same, #m.#new = :x REMOVE #m.a',
              ExpressionAttributeNames: { '#m': 'm', '#b': 'b', '#l': 'l', '#new': 'fresh' },
              ExpressionAttributeValues: { ':nine': 9, ':x': 'x' },
              ReturnValues,
            }),
          ),
        );
      };
      return [await update('UPDATED_NEW'), await update('UPDATED_OLD')];
    };
    // act
    const [onDynalite, inMemory] = await onBoth(steps);
    // assert: only the paths the update names, in the item's shape; a removed path only as it was
    expect(inMemory).toEqual(onDynalite);
    expect(inMemory).toEqual([
      { ok: { Attributes: { m: { b: { c: 9 }, fresh: 'x' }, l: ['x', 'x'], same: 's' } } },
      { ok: { Attributes: { m: { a: 1, b: { c: 2 } }, l: [1, 3], same: 's' } } },
    ]);
  });

  it('queries by key prefix, pages with Limit and filters scans alike', async () => {
    // arrange
    const steps = async (doc: DynamoDBDocumentClient, db: Backend) => {
      const TableName = db.tables.stats;
      for (const sk of ['b#2', 'a#1', 'b#1', 'b#3', 'c#1'])
        await doc.send(new PutCommand({ TableName, Item: { pk: 'p', sk, v: sk.length } }));
      const query = (start?: Record<string, unknown>) =>
        doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :p AND begins_with(sk, :b)',
            ExpressionAttributeValues: { ':p': 'p', ':b': 'b#' },
            Limit: 2,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
      const first = await query();
      const second = await query(first.LastEvaluatedKey);
      const backwards = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': 'p' },
          ScanIndexForward: false,
        }),
      );
      const scan = await doc.send(
        new ScanCommand({
          TableName,
          FilterExpression: 'sk = :s',
          ExpressionAttributeValues: { ':s': 'c#1' },
        }),
      );
      return [
        first.Items,
        first.LastEvaluatedKey,
        second.Items,
        second.LastEvaluatedKey,
        backwards.Items,
        scan.Items,
      ];
    };
    // act
    const [onDynalite, inMemory] = await onBoth(steps);
    // assert
    expect(inMemory).toEqual(onDynalite);
    expect(inMemory?.[0]).toEqual([
      { pk: 'p', sk: 'b#1', v: 3 },
      { pk: 'p', sk: 'b#2', v: 3 },
    ]);
  });

  it('evaluates functions, sets, lists, maps and numbers in conditions and updates alike', async () => {
    // arrange: an item with every kind of value, then updates and conditions on each
    const steps = async (doc: DynamoDBDocumentClient, db: Backend) => {
      const TableName = db.tables.enrollments;
      const Key = { userId: 'u-kinds', sk: 'e#1' };
      const update = (
        UpdateExpression: string,
        values?: Record<string, unknown>,
        extra: Partial<ConstructorParameters<typeof UpdateCommand>[0]> = {},
      ) =>
        outcome(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression,
              ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
              ReturnValues: 'ALL_NEW',
              ...extra,
            }),
          ),
        );
      const holds = (ConditionExpression: string, values?: Record<string, unknown>) =>
        outcome(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression: 'SET probe = :probe',
              ConditionExpression,
              ExpressionAttributeValues: { ':probe': ConditionExpression, ...values },
              ReturnValues: 'UPDATED_NEW',
            }),
          ),
        );
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            ...Key,
            s: 'hello',
            n: 2.5,
            big: 12345678901234567890n,
            t: true,
            z: null,
            ss: new Set(['a', 'b']),
            ns: new Set([1, 2]),
            l: [1, 'two', { three: 3 }],
            m: { a: { b: 'deep' }, list: ['x'] },
          },
        }),
      );
      return [
        await update(
          'SET l = list_append(l, :more), m.a.c = :c, m.#list[0] = :y, n = n - :half',
          {
            ':more': ['four', 5],
            ':c': 'new',
            ':y': 'y',
            ':half': 0.5,
          },
          { ExpressionAttributeNames: { '#list': 'list' } },
        ),
        await update(
          'SET l = list_append(:front, l), f = if_not_exists(f, :one), s = if_not_exists(s, :no)',
          {
            ':front': [0],
            ':one': 1,
            ':no': 'no',
          },
        ),
        await update('ADD ns :three, big :one, fresh :one DELETE ss :a REMOVE z, l[1], m.a.b', {
          ':three': new Set([3, 1]),
          ':one': 1,
          ':a': new Set(['a', 'missing']),
        }),
        await update('DELETE ns :all', { ':all': new Set([1, 2, 3]) }),
        await update('SET n = n + :s', { ':s': 'text' }),
        await update('SET nested.deeper = :v', { ':v': 1 }),
        await update('ADD s :one', { ':one': 1 }),
        await holds('size(s) = :five AND size(l) > :two AND size(m) = :two AND size(ss) = :two', {
          ':five': 5,
          ':two': 2,
        }),
        await holds('begins_with(s, :he) AND contains(s, :ll) AND contains(ss, :b) AND contains(l, :four)', {
          ':he': 'he',
          ':ll': 'll',
          ':b': 'b',
          ':four': 'four',
        }),
        await holds('contains(ns, :two) OR contains(s, :zz)', { ':two': 2, ':zz': 'zz' }),
        await holds('n BETWEEN :one AND :three AND n IN (:one, :two) AND t = :t', {
          ':one': 1,
          ':two': 2,
          ':three': 3,
          ':t': true,
        }),
        await holds(
          'm.a.c = :new AND attribute_type(ss, :SS) AND attribute_type(big, :N) AND NOT attribute_exists(z)',
          {
            ':new': 'new',
            ':SS': 'SS',
            ':N': 'N',
          },
        ),
        await holds('big > :small AND l[2].three = :three AND s = :y', {
          ':small': 1,
          ':y': 'y',
          ':three': 3,
        }).then((r) => r),
        await holds('s < :n', { ':n': 3 }),
        await outcome(() => doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }))),
      ];
    };
    // act
    const [onDynalite, inMemory] = await onBoth(steps);
    // assert
    expect(inMemory).toEqual(onDynalite);
    expect(inMemory?.[4]).toEqual({ error: 'ValidationException' });
    expect(inMemory?.[13]).toEqual({ error: 'ConditionalCheckFailedException' });
  });

  it('returns the values of each ReturnValues kind and the item a failed condition asks for alike', async () => {
    // arrange
    const steps = async (doc: DynamoDBDocumentClient, db: Backend) => {
      const TableName = db.tables.enrollments;
      const Key = { userId: 'u-returns', sk: 'e#1' };
      const out: unknown[] = [];
      for (const ReturnValues of ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'] as const) {
        await doc.send(new PutCommand({ TableName, Item: { ...Key, a: 1, keep: { x: [1, 2] } } }));
        out.push(
          await outcome(() =>
            doc.send(
              new UpdateCommand({
                TableName,
                Key,
                UpdateExpression: 'SET b = :b ADD a :one REMOVE keep.x[0]',
                ExpressionAttributeValues: { ':b': new Set(['b']), ':one': 1 },
                ReturnValues,
              }),
            ),
          ),
        );
      }
      out.push(
        await outcome(() =>
          doc.send(new PutCommand({ TableName, Item: { ...Key, replaced: true }, ReturnValues: 'ALL_OLD' })),
        ),
      );
      const failed = async (run: () => Promise<object>) => {
        try {
          await run();
          return 'no failure';
        } catch (error) {
          // The name only: dynalite leaves out the item ReturnValuesOnConditionCheckFailure asks for.
          return error instanceof Error ? error.name : '?';
        }
      };
      out.push(
        await failed(() =>
          doc.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression: 'SET c = :c',
              ConditionExpression: 'attribute_not_exists(replaced)',
              ExpressionAttributeValues: { ':c': 1 },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          ),
        ),
      );
      out.push(
        await failed(() =>
          doc.send(
            new DeleteCommand({
              TableName,
              Key,
              ConditionExpression: 'replaced = :f',
              ExpressionAttributeValues: { ':f': false },
            }),
          ),
        ),
      );
      out.push(await outcome(() => doc.send(new GetCommand({ TableName, Key }))));
      return out;
    };
    // act
    const [onDynalite, inMemory] = await onBoth(steps);
    // assert
    expect(inMemory).toEqual(onDynalite);
    expect(inMemory?.slice(6, 8)).toEqual([
      'ConditionalCheckFailedException',
      'ConditionalCheckFailedException',
    ]);
  });

  it('answers the low-level AttributeValue client (Step Functions dynamodb:updateItem) alike', async () => {
    // arrange
    const results: unknown[] = [];
    for (const { db } of backends) {
      const TableName = db.tables.profiles;
      const update = await db.client.send(
        new UpdateItemCommand({
          TableName,
          Key: { userId: { S: 'raw' } },
          UpdateExpression: 'SET #t = :v ADD #c :n',
          ExpressionAttributeNames: { '#t': 't:plan', '#c': 'count' },
          ExpressionAttributeValues: { ':v': { S: 'pro' }, ':n': { N: '2' } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const scan = await db.client.send(new RawScan({ TableName }));
      // act
      results.push([update.Attributes, scan.Items?.filter((i) => i.userId?.S === 'raw')]);
    }
    // assert
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('keeps an item read before an update as it was read, and an update that fails changes nothing', async () => {
    // arrange
    const results: unknown[][] = [];
    for (const { db } of backends) {
      const TableName = db.tables.profiles;
      const Key = { userId: { S: 'kept' } };
      const update = (expression: string, values: Record<string, { S: string } | { N: string }>) =>
        outcome(() =>
          db.client.send(
            new UpdateItemCommand({
              TableName,
              Key,
              UpdateExpression: expression,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
      const created = await update('SET a = :a, n = :n', { ':a': { S: 'first' }, ':n': { N: '1' } });
      const read = await db.client.send(new GetItemCommand({ TableName, Key }));
      // act
      const changed = await update('SET a = :a ADD n :n', { ':a': { S: 'second' }, ':n': { N: '1' } });
      const nestedFails = await update('SET a = :a, m.inner = :a', { ':a': { S: 'third' } });
      const typeFails = await update('SET a = :a ADD a :n', { ':a': { S: 'fourth' }, ':n': { N: '1' } });
      const after = await db.client.send(new GetItemCommand({ TableName, Key }));
      results.push([created, read.Item, changed, nestedFails, typeFails, after.Item]);
    }
    // assert
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[1]?.[1]).toEqual({ userId: { S: 'kept' }, a: { S: 'first' }, n: { N: '1' } });
    expect(results[1]?.[5]).toEqual({ userId: { S: 'kept' }, a: { S: 'second' }, n: { N: '2' } });
  });

  it('leaves the same items after the product repositories ingest, wait, claim and count', async () => {
    // arrange
    const at = () => new Date('2026-11-24T10:00:00Z');
    const steps = async (_doc: DynamoDBDocumentClient, db: Backend) => {
      sequence = 0;
      const local = { ...dynalite, ...db };
      await registerJourney(local, {
        id: 'cart',
        name: 'Cart',
        trigger: {
          type: 'event',
          event: 'Cart Updated',
          correlationKey: 'event.properties.cartId',
          limit: { max: 2, per: 'P7D' },
        },
        reentry: { mode: 'after', cooldown: 'P1D' },
        goal: { event: 'Order Completed', within: 'P3D', exit: true },
        exitOn: [{ event: 'Cart Emptied' }],
        start: 'wait',
        steps: {
          wait: {
            type: 'waitForEvent',
            event: 'Order Completed',
            timeout: 'P1D',
            onEvent: 'done',
            onTimeout: 'done',
          },
          done: { type: 'exit' },
        },
      });
      const { deps } = ingestDeps(local, at);
      const stats = new StatsRepository(db.doc, db.tables.stats, { random: () => 0.3 });
      const ingest = { ...deps, stats };
      const out: unknown[] = [];
      for (const u of ['u1', 'u2', 'u3']) {
        out.push(
          await ingestEvent(
            ingest,
            identify(u, { email: `${u}@example.com`, plan: 'pro', timezone: 'Europe/Rome' }),
          ),
        );
        out.push(await ingestEvent(ingest, track(u, 'Cart Updated', { cartId: `c-${u}`, total: 40 })));
        out.push(await ingestEvent(ingest, track(u, 'Cart Updated', { cartId: `c-${u}`, total: 41 })));
      }
      const awaitDeps = awaitDepsOf(local, ingest);
      const input = {
        v: CONTRACT_VERSION,
        journeyId: 'cart',
        journeyVersion: '1',
        enrollmentId: 'e-u1',
        userId: 'u1',
        stepId: 'wait',
        token: 'token-1',
        event: 'Order Completed',
        match: [],
        timeoutSeconds: 86400,
        startedAt: '2026-11-24T10:00:00.000Z',
        trigger: {},
      };
      out.push(await outcome(async () => ({ r: await awaitEvent(awaitDeps, input) })));
      out.push(await ingestEvent(ingest, track('u1', 'Order Completed', { cartId: 'c-u1', total: 40 })));
      out.push(await ingestEvent(ingest, track('u2', 'Cart Emptied', {})));
      const deliveries = new DeliveriesRepository(db.doc, db.tables.deliveries);
      const meta = {
        userId: 'u1',
        journeyId: 'cart',
        version: '1',
        stepId: 'email',
        channel: 'email' as const,
      };
      out.push(await deliveries.claim('e-u1#email', meta, at(), 60_000));
      out.push(await deliveries.claim('e-u1#email', meta, at(), 60_000));
      out.push(await stats.read('cart'));
      out.push(await dump(db));
      return out;
    };
    // act: on one journey time, as simulate runs (the marks and the counts' guard record the time)
    setClock(() => new Date('2026-11-24T10:00:00Z'));
    const [onDynalite, inMemory] = await onBoth(steps).finally(() => resetClock());
    // assert
    expect(inMemory).toEqual(onDynalite);
  });
});

describe('in-memory DynamoDB: what a caller reads is not the store', () => {
  it('refuses a change to an item read, and a change to a set read leaves the stored set as it was', async () => {
    // arrange
    const db = memoryDynamo('read-only');
    const TableName = db.tables.profiles;
    await db.doc.send(
      new PutCommand({ TableName, Item: { userId: 'r', m: { a: [1] }, tags: new Set(['a']) } }),
    );
    await db.doc.send(new PutCommand({ TableName, Item: { userId: 'plain', m: { a: [1] } } }));
    const { Item: plain = {} } = await db.doc.send(new GetCommand({ TableName, Key: { userId: 'plain' } }));
    const { Item: withSet = {} } = await db.doc.send(new GetCommand({ TableName, Key: { userId: 'r' } }));
    // act
    const changePlain = () => {
      plain.m.a.push(2);
    };
    withSet.tags.add('b');
    withSet.m.a.push(2);
    // assert
    expect(changePlain).toThrow(TypeError);
    const again = await db.doc.send(new GetCommand({ TableName, Key: { userId: 'r' } }));
    expect(again.Item).toEqual({ userId: 'r', m: { a: [1] }, tags: new Set(['a']) });
    const plainAgain = await db.doc.send(new GetCommand({ TableName, Key: { userId: 'plain' } }));
    expect(plainAgain.Item).toEqual({ userId: 'plain', m: { a: [1] } });
  });
});

describe('in-memory DynamoDB: an update written into the stored item', () => {
  for (const hotItems of [undefined, 1]) {
    it(`leaves what a reader holds as it read it, and a failing update changes nothing (hot items: ${hotItems ?? 'default'})`, async () => {
      // arrange: an item updated twice with no reader (written in place), then read, then updated again
      const db = memoryDynamo('in-place', hotItems);
      const TableName = db.tables.profiles;
      const Key = { userId: 'u' };
      const add = (by: number) =>
        db.doc.send(
          new UpdateCommand({
            TableName,
            Key,
            UpdateExpression: 'ADD n :by SET m.last = :by',
            ExpressionAttributeValues: { ':by': by },
          }),
        );
      await db.doc.send(new PutCommand({ TableName, Item: { userId: 'u', n: 0, m: {} } }));
      await add(1);
      await add(2);
      const { Item: read = {} } = await db.doc.send(new GetCommand({ TableName, Key }));
      const { Attributes: returned = {} } = await db.doc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: 'ADD n :by',
          ExpressionAttributeValues: { ':by': 10 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      await add(100);
      const { Attributes: old = {} } = await db.doc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: 'ADD n :by',
          ExpressionAttributeValues: { ':by': 1000 },
          ReturnValues: 'ALL_OLD',
        }),
      );
      await add(10_000);
      // act: a valid action, then one whose path is missing; then a failed condition
      const invalid = db.doc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: 'SET a = :one, missing.inner = :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
      await expect(invalid).rejects.toThrow(/invalid for update/);
      const refused = db.doc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: 'SET a = :one',
          ConditionExpression: 'n = :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
      await expect(refused).rejects.toThrow(/conditional request failed/);
      const { Item: now = {} } = await db.doc.send(new GetCommand({ TableName, Key }));
      // assert
      expect(read).toEqual({ userId: 'u', n: 3, m: { last: 2 } });
      expect(returned).toEqual({ userId: 'u', n: 13, m: { last: 2 } });
      expect(old).toEqual({ userId: 'u', n: 113, m: { last: 100 } });
      expect(now).toEqual({ userId: 'u', n: 11_113, m: { last: 10_000 } });
      expect(Object.isFrozen(read) && Object.isFrozen(returned) && Object.isFrozen(old)).toBe(true);
    });
  }
});
