import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps, track } from './harness.ts';

/**
 * A profile written before names were limited in bytes may hold trait,
 * topic and event names past the limits. No event can name them again (the
 * edge refuses them), so the next write removes them and the profile
 * converges to its bound; a topic opted out of becomes an opt-out of its
 * channel, so no unsubscribe is lost.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('profile-names');
});
afterAll(async () => db.stop());

async function rawItem(userId: string) {
  const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
  return out.Item ?? {};
}

/** 100 Chinese characters: 300 bytes, past the 255 of a trait or topic name and the 200 of an event name. */
const LONG = '界'.repeat(100);
const now = new Date('2026-11-24T10:00:00Z');
const at = now.getTime() - 3_600_000;

describe('names past the byte limits on an older profile', () => {
  it('are removed by the next write, and a topic opt-out becomes an opt-out of its channel', async () => {
    // arrange: an item in the current layout holding over-long names of every kind
    await db.doc.send(
      new PutCommand({
        TableName: db.tables.profiles,
        Item: {
          userId: 'u-long',
          fv: 4,
          tc: 2,
          't:plan': 'pro',
          [`t:${LONG}`]: 1,
          [`ct:email:${LONG}`]: false,
          [`ct:sms:${LONG}`]: true,
          'ct:email:news': false,
          [`c:${LONG}`]: BigInt(at) * 1_000_000_000n + 3n,
          [`l:${LONG}`]: at,
          [`wf:${LONG}`]: 1,
          [`x:${LONG}`]: ['m-1', at, {}],
          'cs:sms': 'subscribed',
        },
      }),
    );
    const { deps } = ingestDeps(db, () => now);
    // act
    const result = await ingestEvent(deps, track('u-long', 'App Opened'));
    // assert
    expect(result.status).toBe('recorded');
    const item = await rawItem('u-long');
    const left = Object.keys(item).filter((key) => key.includes(LONG));
    expect(left).toEqual([]);
    expect(item.tc).toBe(1);
    expect(item['t:plan']).toBe('pro');
    expect(item['ct:email:news']).toBe(false);
    expect(item['cs:email']).toBe('unsubscribed');
    expect(item['cs:sms']).toBe('subscribed');
    // act: the count is right again, so new traits fill the cap exactly
    await ingestEvent(deps, identify('u-long', { a: 1 }));
    expect((await rawItem('u-long')).tc).toBe(2);
  });
});
