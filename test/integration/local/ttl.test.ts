import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JourneyClock } from '#infra/local/runtime/clock.ts';
import { expireItems } from '#infra/local/runtime/expiry.ts';
import { type LocalDynamo, localTableName, startDynamo } from '#infra/local/services/dynamodb/dynalite.ts';
import { deleteExpired } from '#infra/local/services/dynamodb/ttl.ts';
import { DELIVERIES_TABLE, ENROLLMENTS_TABLE, PROFILES_TABLE } from '#shared/tables.ts';

/** dynalite has no TTL: the local runtime deletes expired items itself, as DynamoDB would. */

const NOW_S = Date.parse('2026-03-02T09:00:00Z') / 1000;
let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynamo(undefined, 0);
  doc = DynamoDBDocumentClient.from(dynamo.client);
});
afterAll(async () => {
  await dynamo.stop();
});

const put = (
  table: typeof DELIVERIES_TABLE | typeof ENROLLMENTS_TABLE | typeof PROFILES_TABLE,
  item: object,
) => doc.send(new PutCommand({ TableName: localTableName(table), Item: item }));
const exists = async (
  table: typeof DELIVERIES_TABLE | typeof ENROLLMENTS_TABLE | typeof PROFILES_TABLE,
  key: Record<string, string>,
) => (await doc.send(new GetCommand({ TableName: localTableName(table), Key: key }))).Item !== undefined;

describe('expired items in the local tables', () => {
  it('are deleted once their TTL has passed in journey time; the others stay', async () => {
    // arrange: expired and live items in tables with a TTL, and a profile (no TTL) with an old expiresAt
    for (let n = 0; n < 30; n += 1)
      await put(DELIVERIES_TABLE, { deliveryId: `old-${n}`, expiresAt: NOW_S - 1 - n });
    await put(DELIVERIES_TABLE, { deliveryId: 'live', expiresAt: NOW_S + 60 });
    await put(DELIVERIES_TABLE, { deliveryId: 'forever' });
    await put(ENROLLMENTS_TABLE, { userId: 'ada', sk: 'e#1', expiresAt: NOW_S - 86_400 });
    await put(ENROLLMENTS_TABLE, { userId: 'ada', sk: 'e#2', expiresAt: NOW_S + 86_400 });
    await put(PROFILES_TABLE, { userId: 'ada', expiresAt: NOW_S - 86_400 });
    // act
    const deleted = await deleteExpired(dynamo.client, NOW_S);
    // assert
    expect(deleted).toBe(31);
    expect(await exists(DELIVERIES_TABLE, { deliveryId: 'old-0' })).toBe(false);
    expect(await exists(DELIVERIES_TABLE, { deliveryId: 'live' })).toBe(true);
    expect(await exists(DELIVERIES_TABLE, { deliveryId: 'forever' })).toBe(true);
    expect(await exists(ENROLLMENTS_TABLE, { userId: 'ada', sk: 'e#1' })).toBe(false);
    expect(await exists(ENROLLMENTS_TABLE, { userId: 'ada', sk: 'e#2' })).toBe(true);
    expect(await exists(PROFILES_TABLE, { userId: 'ada' })).toBe(true);
    expect(await deleteExpired(dynamo.client, NOW_S)).toBe(0);
  });

  it('tell which items went with a count still pending on them, and nothing of the others', async () => {
    // arrange: an ended enrollment whose conversion was marked but never counted, a waiter whose
    // received event was marked, both past their TTL; an expired item with nothing pending
    await put(ENROLLMENTS_TABLE, {
      userId: 'bo',
      sk: 'e#goal',
      journeyId: 'winback',
      convertedPending: 1,
      expiresAt: NOW_S - 10,
    });
    await put(ENROLLMENTS_TABLE, {
      userId: 'bo',
      sk: 'w#Survey Answered#e#step',
      journeyId: 'survey',
      receivedPending: 1,
      expiresAt: NOW_S - 10,
    });
    await put(ENROLLMENTS_TABLE, { userId: 'bo', sk: 'e#done', journeyId: 'winback', expiresAt: NOW_S - 10 });
    const lost: unknown[] = [];
    // act
    await deleteExpired(dynamo.client, NOW_S, undefined, (item) => lost.push(item));
    // assert
    expect(lost).toHaveLength(2);
    expect(lost).toEqual(
      expect.arrayContaining([
        { table: 'enrollments', key: 'bo e#goal', journeyId: 'winback', pending: ['convertedPending'] },
        {
          table: 'enrollments',
          key: 'bo w#Survey Answered#e#step',
          journeyId: 'survey',
          pending: ['receivedPending'],
        },
      ]),
    );
  });

  it('the local runtime says which count went missing with its item', async () => {
    // arrange: an ended enrollment whose outcome's count the retries never wrote, past its TTL
    await put(ENROLLMENTS_TABLE, {
      userId: 'cy',
      sk: 'e#end',
      journeyId: 'onboarding',
      endedPending: 1,
      expiresAt: NOW_S - 10,
    });
    const lines: string[] = [];
    const clock = { nowMs: () => NOW_S * 1000, followsWallClock: false } as JourneyClock;
    // act
    const stop = await expireItems(dynamo.client, clock, (line) => lines.push(line));
    stop();
    // assert
    expect(lines).toEqual([
      'a count is missing from the results of onboarding: enrollments item cy e#end expired with endedPending (a retry never wrote it)',
    ]);
  });
});
