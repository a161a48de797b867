import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { memoryDynamo } from '#infra/simulate/dynamo/memory-dynamo.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps } from '../functions/harness.ts';

/**
 * Keys named like prototype members, through the product's document client
 * on dynalite and through the simulation's in-memory tables: the same items
 * stored, the same documents read back, the same refusal of `__proto__`.
 */

type Backend = Pick<LocalDynamo, 'doc' | 'client' | 'tables'>;
let dynalite: LocalDynamo;
let backends: Backend[];

beforeAll(async () => {
  dynalite = await startDynalite('keys-contract');
  // Also with every item packed as soon as another is used: names survive the packed form too.
  backends = [dynalite, memoryDynamo('keys-contract'), memoryDynamo('keys-contract-packed', 1)];
});
afterAll(async () => dynalite.stop());

const HOSTILE = `{
  "constructor": {"name": "String"},
  "m": {"constructor": "x", "prototype": {"hasOwnProperty": 1}, "toString": {"valueOf": null}},
  "l": [{"constructor": {"name": "Set"}}, [{"constructor": {"name": "Uint8Array", "length": 1}}]]
}`;

/** What a call gives: its output without metadata, or its error's name and whether it refuses `__proto__` (paths are the client's). */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    const out = await call();
    if (typeof out !== 'object' || out === null) return { ok: out };
    const { $metadata: _metadata, ...rest } = { $metadata: undefined, ...out };
    return { ok: JSON.stringify(rest) };
  } catch (error) {
    if (!(error instanceof Error)) return { error: String(error) };
    return {
      error: error.name,
      refusesProto: error.message.includes('"__proto__" cannot be stored as a key'),
    };
  }
}

/** An update of one item setting `:v` to 'v' where the expression names it, answering ALL_NEW, as its outcome. */
function updater(db: Backend, TableName: string, Key: Record<string, unknown>) {
  return (expression: string, names: Record<string, string>, condition?: string) =>
    outcome(() =>
      db.doc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: expression,
          ...(condition === undefined ? {} : { ConditionExpression: condition }),
          ExpressionAttributeNames: names,
          ...(expression.includes(':v') ? { ExpressionAttributeValues: { ':v': 'v' } } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
}

async function onEach(steps: (db: Backend) => Promise<unknown[]>): Promise<unknown[][]> {
  const results: unknown[][] = [];
  for (const db of backends) results.push(await steps(db));
  return results;
}

describe('keys named like prototype members: dynalite and the in-memory tables alike', () => {
  it('store and read back documents exactly, and refuse __proto__ the same way', async () => {
    const [onDynalite, inMemory, packed] = await onEach(async (db) => {
      const TableName = db.tables.profiles;
      const doc: unknown = JSON.parse(HOSTILE);
      return [
        await outcome(() => db.doc.send(new PutCommand({ TableName, Item: { userId: 'put', doc } }))),
        await outcome(() =>
          db.doc.send(
            new UpdateCommand({
              TableName,
              Key: { userId: 'update' },
              UpdateExpression: 'SET #d = :d',
              ExpressionAttributeNames: { '#d': 'doc' },
              ExpressionAttributeValues: { ':d': doc },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        ),
        await outcome(
          async () => (await db.doc.send(new GetCommand({ TableName, Key: { userId: 'put' } }))).Item,
        ),
        await outcome(() =>
          db.doc.send(
            new PutCommand({
              TableName,
              Item: { userId: 'proto', doc: JSON.parse('{"a": {"__proto__": 1}}') },
            }),
          ),
        ),
      ];
    });

    expect(inMemory).toEqual(onDynalite);
    expect(packed).toEqual(onDynalite);
    expect(onDynalite?.[2]).toEqual({ ok: JSON.stringify({ userId: 'put', doc: JSON.parse(HOSTILE) }) });
    expect(onDynalite?.[3]).toEqual({ error: 'Journeys.InvalidInput', refusesProto: true });
  });

  it('write and read a nested attribute named by a placeholder, __proto__ and constructor included', async () => {
    const [onDynalite, inMemory, packed] = await onEach(async (db) => {
      const TableName = db.tables.profiles;
      const Key = { userId: 'nested' };
      await db.doc.send(new PutCommand({ TableName, Item: { ...Key, doc: { kept: 1 } } }));
      const set = (name: string, value: unknown) =>
        outcome(() =>
          db.doc.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression: 'SET #d.#n = :v',
              ConditionExpression: 'attribute_not_exists(#d.#n)',
              ExpressionAttributeNames: { '#d': 'doc', '#n': name },
              ExpressionAttributeValues: { ':v': value },
            }),
          ),
        );
      return [
        await set('__proto__', 'p'),
        await set('constructor', 'c'),
        await set('__proto__', 'again'),
        await outcome(async () => (await db.doc.send(new GetCommand({ TableName, Key }))).Item),
      ];
    });

    expect(inMemory).toEqual(onDynalite);
    expect(packed).toEqual(onDynalite);
  });

  it('write, read and project a top-level attribute named by a placeholder, __proto__ and constructor included', async () => {
    const [onDynalite, inMemory, packed] = await onEach(async (db) => {
      const TableName = db.tables.profiles;
      const Key = { userId: 'top' };
      await db.doc.send(new PutCommand({ TableName, Item: { ...Key, kept: 1 } }));
      const update = updater(db, TableName, Key);
      const get = (projection: string, names: Record<string, string>) =>
        outcome(
          async () =>
            (
              await db.doc.send(
                new GetCommand({
                  TableName,
                  Key,
                  ProjectionExpression: projection,
                  ExpressionAttributeNames: names,
                }),
              )
            ).Item,
        );
      return [
        // Nested under an attribute the item lacks: refused as a path that does not exist.
        await update('SET #c.#n = :v', { '#c': 'constructor', '#n': 'name' }),
        await update('SET #t.#n = :v', { '#t': 'toString', '#n': 'name' }),
        await update('SET #h = :v', { '#h': 'hasOwnProperty' }, 'attribute_not_exists(#h)'),
        await update('SET #c = :v', { '#c': 'constructor' }, 'attribute_not_exists(#c)'),
        await update('SET #c = :v', { '#c': 'constructor' }, 'attribute_not_exists(#c)'),
        await update('SET #p = :v', { '#p': '__proto__' }, 'attribute_not_exists(#p)'),
        await get('#c, #t, #p', { '#c': 'constructor', '#t': 'toString', '#p': '__proto__' }),
        await update('REMOVE #c, #p', { '#c': 'constructor', '#p': '__proto__' }),
        await get('#c, #v, #k', { '#c': 'constructor', '#v': 'valueOf', '#k': 'kept' }),
      ];
    });

    expect(inMemory).toEqual(onDynalite);
    expect(packed).toEqual(onDynalite);
  });

  it('keep a profile with such traits the same way through ingest', async () => {
    const traits = JSON.parse(HOSTILE);
    const [onDynalite, inMemory, packed] = await onEach(async (db) => {
      const { deps } = ingestDeps({ ...dynalite, ...db });
      const identify = {
        type: 'identify',
        userId: 'u',
        traits,
        timestamp: '2026-11-24T09:59:00Z',
        messageId: 'm-1',
      };
      const result = await ingestEvent(deps, identify);
      return [result.status, JSON.stringify((await deps.profiles.get('u')).profile.traits)];
    });

    expect(inMemory).toEqual(onDynalite);
    expect(packed).toEqual(onDynalite);
    expect(onDynalite).toEqual(['recorded', JSON.stringify(traits)]);
  });
});
