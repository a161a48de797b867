import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { signUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { handleUnsubscribe, type UnsubscribeDeps } from '#functions/unsubscribe/unsubscribe.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * A customer erased (their profile deleted, docs/deploy.md "Erasing a
 * customer") may still follow a link of an email sent before: the opt-out
 * must not store a profile again, holding their id and nothing else.
 */

const KEY = 'unsubscribe-erased-test-key-of-32-chars';
let db: LocalDynamo;
let deps: UnsubscribeDeps;
/** The business clock of these requests: fixed, so a link's age never depends on when the test runs. */
const NOW = new Date('2026-11-24T10:00:00Z');

beforeAll(async () => {
  db = await startDynalite('unsub-erased');
  deps = {
    profiles: new ProfilesRepository(db.doc, db.tables.profiles),
    keys: { keys: async () => [KEY], reload: async () => undefined },
    now: () => NOW,
  };
});
afterAll(async () => db.stop());

async function stored(userId: string) {
  return (await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }))).Item;
}

describe('an unsubscribe link of a customer no longer kept', () => {
  it.each([
    ['one-click on a channel link', {}, 'List-Unsubscribe=One-Click'],
    ['one-click on a topic link', { t: 'deals' }, 'List-Unsubscribe=One-Click'],
    ['channel-off from the page', {}, 'action=channel-off'],
    ['topic-off from the page', { t: 'deals' }, 'action=topic-off'],
    ['channel-on from the page', { i: Math.floor(NOW.getTime() / 1000) }, 'action=channel-on'],
  ])('%s stores no profile, and says nothing is kept', async (why, extra, body) => {
    const userId = `erased-${why.replaceAll(' ', '-')}`;
    const token = signUnsubscribe(KEY, { u: userId, c: 'email', ...extra });
    const out = await handleUnsubscribe(deps, {
      method: 'POST',
      query: new URLSearchParams({ t: token }),
      body,
    });
    expect(out.statusCode).toBe(200);
    expect(out.body).toContain('no preferences');
    expect(await stored(userId)).toBeUndefined();
  });

  it('shows a page saying nothing is kept, with no buttons', async () => {
    const token = signUnsubscribe(KEY, { u: 'erased-page', c: 'email', t: 'deals' });
    const out = await handleUnsubscribe(deps, {
      method: 'GET',
      query: new URLSearchParams({ t: token }),
      body: '',
    });
    expect(out.statusCode).toBe(200);
    expect(out.body).toContain('no preferences');
    expect(out.body).not.toContain('<form');
    expect(await stored('erased-page')).toBeUndefined();
  });
});
