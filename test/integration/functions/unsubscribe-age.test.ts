import { describe, expect, it } from 'vitest';
import { RESUBSCRIBE_WITHIN_DAYS, signUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { identify, ingestDeps } from './harness.ts';
import { unsubscribeWorld } from './unsubscribe-world.ts';

/** Opting out works from any link, however old; turning messages back on only from a recent one. */

const KEY = 'unsubscribe-age-test-key-of-32-chars+';
const DAY_S = 86_400;
const NOW = new Date('2026-06-01T12:00:00Z');
const nowS = NOW.getTime() / 1000;
const world = unsubscribeWorld('unsub-age', KEY, NOW);

async function optedOut(userId: string, topic?: string) {
  const { deps } = world.current;
  await ingestEvent(ingestDeps(world.current.db).deps, identify(userId, { email: `${userId}@example.com` }));
  const claim = { u: userId, c: 'email' as const, ...(topic === undefined ? {} : { t: topic }) };
  await deps.profiles.setConsent(
    userId,
    'email',
    { status: 'unsubscribed', reason: 'test' },
    new Date('2026-05-01T00:00:00Z'),
  );
  if (topic !== undefined)
    await deps.profiles.setConsent(
      userId,
      'email',
      { topic, subscribed: false },
      new Date('2026-05-01T00:00:00Z'),
    );
  return claim;
}

const post = (token: string, body: string) => world.current.request('POST', token, body);
const block = (userId: string, topic?: string) => world.current.block(userId, 'email', topic);

describe('how long an unsubscribe link can turn messages back on', () => {
  it.each([
    ['issued a minute ago', nowS - 60],
    ['issued on the last day of the window', nowS - RESUBSCRIBE_WITHIN_DAYS * DAY_S + 60],
  ])('resubscribes from a link %s', async (why, issued) => {
    const claim = await optedOut(`age-fresh-${why.length}`);
    const out = await post(signUnsubscribe(KEY, { ...claim, i: issued }), 'action=channel-on');
    expect(out.statusCode).toBe(200);
    expect(await block(claim.u)).toBeUndefined();
  });

  it.each([
    ['past the window', nowS - RESUBSCRIBE_WITHIN_DAYS * DAY_S - 60],
    ['of years ago', nowS - 3 * 365 * DAY_S],
    ['that carries no issue time (signed before links had one)', undefined],
  ])('refuses channel-on and topic-on from a link %s, with a page saying why', async (why, issued) => {
    const claim = await optedOut(`age-old-${why.length}`, 'deals');
    const token = signUnsubscribe(KEY, issued === undefined ? claim : { ...claim, i: issued });
    const page = await world.current.request('GET', token);
    expect(page.body).not.toContain('value="channel-on"');
    expect(page.body).not.toContain('value="topic-on"');
    for (const action of ['channel-on', 'topic-on']) {
      const out = await post(token, `action=${action}`);
      expect(out.statusCode).toBe(403);
      expect(out.body).toContain('newer message');
    }
    expect(await block(claim.u, 'deals')).toBe('unsubscribed from email');
  });

  it.each([
    ['past the window', nowS - 400 * DAY_S],
    ['that carries no issue time', undefined],
  ])('opts out from a link %s, one-click and from the page', async (why, issued) => {
    const userId = `age-out-${why.length}`;
    await ingestEvent(
      ingestDeps(world.current.db).deps,
      identify(userId, { email: `${userId}@example.com` }),
    );
    const claim = { u: userId, c: 'email' as const, t: 'deals' };
    const token = signUnsubscribe(KEY, issued === undefined ? claim : { ...claim, i: issued });
    expect((await post(token, 'List-Unsubscribe=One-Click')).statusCode).toBe(200);
    expect(await block(userId, 'deals')).toBe('unsubscribed from topic deals');
    expect((await post(token, 'action=channel-off')).statusCode).toBe(200);
    expect(await block(userId)).toBe('unsubscribed from email');
  });
});
