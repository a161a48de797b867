import { beforeAll, describe, expect, it } from 'vitest';
import { signUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { identify, ingestDeps } from './harness.ts';
import { unsubscribeWorld } from './unsubscribe-world.ts';

/** The public endpoint as someone with a link in hand, or none, would try it. */

const KEY = 'unsubscribe-attack-key-of-at-least-32-chars';
const NOW = new Date('2026-11-24T10:00:00Z');
let reloads = 0;
const world = unsubscribeWorld('unsub-attacks', KEY, NOW, {
  keys: async () => [KEY],
  reload: async () => {
    reloads += 1;
    return undefined;
  },
});
const request = (method: string, token: string, body?: string) => world.current.request(method, token, body);

beforeAll(async () => {
  for (const userId of ['atk-headers', 'atk-proto', 'atk-constructor'])
    await ingestEvent(
      ingestDeps(world.current.db).deps,
      identify(userId, { email: `${userId}@example.com` }),
    );
});

describe('the unsubscribe endpoint under attack', () => {
  const link = () => signUnsubscribe(KEY, { u: 'atk-headers', c: 'email', t: 'deals' });

  it.each([
    ['the page', () => request('GET', link())],
    ['a one-click opt-out', () => request('POST', link(), 'List-Unsubscribe=One-Click')],
    ['a method it does not take', () => request('PUT', link())],
    ['a body too large', () => request('POST', link(), 'x'.repeat(20_000))],
    ['a link that is not valid', () => request('GET', 'v1.e30.AAAA')],
  ])('answers %s uncached and never sniffed as another type', async (_, send) => {
    const out = await send();
    expect(out.headers['cache-control']).toBe('no-store');
    expect(out.headers['x-content-type-options']).toBe('nosniff');
    expect(out.headers['referrer-policy']).toBe('no-referrer');
  });

  it('lets no other site frame the page (its buttons change preferences)', async () => {
    const out = await request('GET', link());
    expect(out.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it.each(['__proto__', 'constructor', 'toString'])(
    'opts out of a topic named %s, and the page and the next send see it',
    async (topic) => {
      const userId = topic === '__proto__' ? 'atk-proto' : 'atk-constructor';
      const token = signUnsubscribe(KEY, { u: userId, c: 'email', t: topic, i: NOW.getTime() / 1000 - 60 });
      expect((await request('POST', token, 'List-Unsubscribe=One-Click')).statusCode).toBe(200);
      const page = await request('GET', token);
      expect(page.body).toContain('messages: off.');
      expect(page.body).toContain('value="topic-on"');
      expect(await world.current.block(userId, 'email', topic)).toBe(`unsubscribed from topic ${topic}`);
      expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    },
  );

  it.each([
    ['an enormous token', `v1.${'A'.repeat(2_000_000)}.${'B'.repeat(43)}`],
    ['a token of many parts', 'a.'.repeat(50_000)],
    ['a claim that is not JSON', `v1.${Buffer.from('{').toString('base64url')}.AAAA`],
  ])('refuses %s as a link that is not valid, reading the keys again at most once', async (_, token) => {
    const before = reloads;
    const out = await request('POST', token, 'List-Unsubscribe=One-Click');
    expect([out.statusCode, out.body]).toEqual([400, expect.stringContaining('This link is not valid')]);
    expect(reloads - before).toBeLessThanOrEqual(1);
  });
});
