import { createHmac } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { signUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { handleUnsubscribe } from '#functions/unsubscribe/unsubscribe.ts';
import { identify, ingestDeps } from './harness.ts';
import { unsubscribeWorld } from './unsubscribe-world.ts';

/**
 * Links already in customers' inboxes were signed before tokens named their
 * purpose and format: base64url(claim) "." base64url(HMAC-SHA256 of the
 * claim alone). They keep opting out; they never subscribe again, however
 * recent, as a MAC over the claim alone says nothing of what it was made for.
 * The tokens below are fixtures, made with that format under KEY.
 */

const KEY = 'unsubscribe-test-key-of-at-least-32-chars';
/** An hour after the legacy links below were signed (`i` 1795510800). */
const NOW = new Date('2026-11-24T10:00:00Z');
const LEGACY = {
  /** { u: 'legacy-channel', c: 'email', i: 1795510800 } */
  channel:
    'eyJ1IjoibGVnYWN5LWNoYW5uZWwiLCJjIjoiZW1haWwiLCJpIjoxNzk1NTEwODAwfQ.r-UHyc4Ow-O-PYJj9KsRcbckXj0w-Guy8DLziDtPR2w',
  /** { u: 'legacy-topic', c: 'email', t: 'deals', i: 1795510800 } */
  topic:
    'eyJ1IjoibGVnYWN5LXRvcGljIiwiYyI6ImVtYWlsIiwidCI6ImRlYWxzIiwiaSI6MTc5NTUxMDgwMH0.fjhRrwSlLY6Ay7nLdxtKao4kf4-XgfsXo_YEWASXAkw',
  /** { u: 'legacy-untimed', c: 'sms' } */
  untimed: 'eyJ1IjoibGVnYWN5LXVudGltZWQiLCJjIjoic21zIn0.dAlP3pKTSclYq91HXkGdCtvg5esMP_yQZdv9jQNWQLg',
  /** { u: 'legacy-old', c: 'email', t: 'deals', i: 1700000000 } */
  old: 'eyJ1IjoibGVnYWN5LW9sZCIsImMiOiJlbWFpbCIsInQiOiJkZWFscyIsImkiOjE3MDAwMDAwMDB9.O5HigBGJBLabsEhDHisZacP7PUTlXs7PbympJnbSZQA',
} as const;

const world = unsubscribeWorld('unsub-legacy', KEY, NOW);
const request = (method: string, token: string, body?: string) => world.current.request(method, token, body);
const block = (userId: string, channel: 'email' | 'sms', topic?: string) =>
  world.current.block(userId, channel, topic);

/**
 * The customer a fixture link names, as a fresh profile with an address: the links name fixed
 * customers, so each test starts theirs again rather than inherit what another test's link did.
 */
async function customer(userId: string) {
  const { db } = world.current;
  await db.doc.send(new DeleteCommand({ TableName: db.tables.profiles, Key: { userId } }));
  await ingestEvent(ingestDeps(db).deps, identify(userId, { email: `${userId}@example.com` }));
}

describe('unsubscribe links signed before tokens named their purpose', () => {
  it.each([
    ['a channel link', LEGACY.channel, 'legacy-channel', 'email', undefined, 'unsubscribed from email'],
    ['a topic link', LEGACY.topic, 'legacy-topic', 'email', 'deals', 'unsubscribed from topic deals'],
    [
      'a link without an issue time',
      LEGACY.untimed,
      'legacy-untimed',
      'sms',
      undefined,
      'unsubscribed from sms',
    ],
    ['a link of years ago', LEGACY.old, 'legacy-old', 'email', 'deals', 'unsubscribed from topic deals'],
  ] as const)('%s still opts out, one-click', async (_, token, userId, channel, topic, blocked) => {
    await customer(userId);
    const page = await request('GET', token);
    expect(page.statusCode).toBe(200);
    const out = await request('POST', token, 'List-Unsubscribe=One-Click');
    expect(out.statusCode).toBe(200);
    expect(await block(userId, channel, topic)).toBe(blocked);
  });

  it('never subscribes again, though signed an hour ago: no button, and a resubscribe posted anyway is refused', async () => {
    await customer('legacy-topic');
    await request('POST', LEGACY.topic, 'action=channel-off');
    const page = await request('GET', LEGACY.topic);
    expect(page.body).not.toContain('value="channel-on"');
    expect(page.body).not.toContain('value="topic-on"');
    for (const action of ['channel-on', 'topic-on']) {
      const out = await request('POST', LEGACY.topic, `action=${action}`);
      expect(out.statusCode).toBe(403);
      expect(out.body).toContain('newer message');
    }
    expect(await block('legacy-topic', 'email', 'deals')).toBe('unsubscribed from email');
  });

  it('a link of the current format, signed at the same time, does subscribe again', async () => {
    // arrange: the customer opted out with the older link's one-click
    await customer('legacy-channel');
    expect((await request('POST', LEGACY.channel, 'List-Unsubscribe=One-Click')).statusCode).toBe(200);
    expect(await block('legacy-channel', 'email')).toBe('unsubscribed from email');
    const token = signUnsubscribe(KEY, { u: 'legacy-channel', c: 'email', i: 1795510800 });
    // act: after it, a resubscribe from the current link
    world.current.advance(1000);
    const out = await request('POST', token, 'action=channel-on');
    expect(out.statusCode).toBe(200);
    expect(await block('legacy-channel', 'email')).toBeUndefined();
  });

  it('a MAC of the claim alone, made for anything else with the key, never passes for a current link', async () => {
    // What another signature under the same key could be: the claim's bytes, no purpose.
    const payload = Buffer.from(JSON.stringify({ u: 'forged', c: 'email', i: 1795510800 })).toString(
      'base64url',
    );
    await customer('forged');
    const bare = createHmac('sha256', KEY).update(payload).digest('base64url');
    const other = createHmac('sha256', KEY)
      .update(`journeys other purpose v1\n${payload}`)
      .digest('base64url');
    await world.current.deps.profiles.setConsent(
      'forged',
      'email',
      {
        status: 'unsubscribed',
        reason: 'test',
      },
      new Date('2026-11-24T09:00:00Z'),
    );
    for (const token of [`v1.${payload}.${bare}`, `v1.${payload}.${other}`, `${payload}.${bare}`]) {
      const out = await request('POST', token, 'action=channel-on');
      expect(out.statusCode).not.toBe(200);
    }
    expect(await block('forged', 'email')).toBe('unsubscribed from email');
  });

  it('opt out until the second rotation of the key they were signed with', async () => {
    await customer('legacy-untimed');
    const optOut = (keys: string[]) =>
      handleUnsubscribe(
        { ...world.current.deps, keys: { keys: async () => keys, reload: async () => undefined } },
        {
          method: 'POST',
          query: new URLSearchParams({ t: LEGACY.untimed }),
          body: 'List-Unsubscribe=One-Click',
        },
      );
    const once = await optOut(['the-key-put-at-the-first-rotation-32+chars', KEY]);
    const twice = await optOut([
      'the-key-put-at-the-second-rotation-32+char',
      'the-key-put-at-the-first-rotation-32+chars',
    ]);
    expect([once.statusCode, twice.statusCode]).toEqual([200, 400]);
  });
});
