import { describe, expect, it } from 'vitest';
import { signUnsubscribe, unsubscribeLink } from '#functions/_lib/unsubscribe-links.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { MAX_JOURNEY_TOPIC_OPT_OUTS } from '#shared/ingest/limits.ts';
import { identify, ingestDeps } from './harness.ts';
import { unsubscribeWorld } from './unsubscribe-world.ts';

const KEY = 'unsubscribe-test-key-of-at-least-32-chars';
/** The business clock of these requests: fixed, so a link's age never depends on when the test runs. */
const NOW = new Date('2026-11-24T10:00:00Z');
const world = unsubscribeWorld('unsub', KEY, NOW);

async function customer(userId: string) {
  await ingestEvent(ingestDeps(world.current.db).deps, identify(userId, { email: `${userId}@example.com` }));
}

const request = (method: string, token: string, body?: string) => world.current.request(method, token, body);
const block = (userId: string, topic?: string) => world.current.block(userId, 'email', topic);

describe('signed unsubscribe', () => {
  it('one-click (RFC 8058) opts the customer out of the channel, and the next send is suppressed', async () => {
    await customer('un-1');
    const token = signUnsubscribe(KEY, { u: 'un-1', c: 'email' });
    const out = await request('POST', token, 'List-Unsubscribe=One-Click');
    expect(out.statusCode).toBe(200);
    expect(await block('un-1')).toBe('unsubscribed from email');
  });

  it.each([
    [
      'multipart/form-data',
      '--b0undary\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b0undary--\r\n',
    ],
    [
      'multipart/form-data, LF only',
      '--x\ncontent-disposition: form-data; name=List-Unsubscribe\n\nOne-Click\n--x--\n',
    ],
  ])('one-click sent as %s (what RFC 8058 prefers) opts the customer out too', async (_, body) => {
    const userId = `un-multipart-${body.length}`;
    await customer(userId);
    const out = await request('POST', signUnsubscribe(KEY, { u: userId, c: 'email' }), body);
    expect(out.statusCode).toBe(200);
    expect(await block(userId)).toBe('unsubscribed from email');
  });

  it('changes nothing for a multipart body without the one-click field', async () => {
    await customer('un-multipart-other');
    const body = '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nLater\r\n--b--\r\n';
    const out = await request('POST', signUnsubscribe(KEY, { u: 'un-multipart-other', c: 'email' }), body);
    expect(out.statusCode).toBe(400);
    expect(await block('un-multipart-other')).toBeUndefined();
  });

  it('answers a form body larger than any form of the page 413, reading none of it and changing nothing', async () => {
    // arrange: a link of one's own, and a part header that never names its field. Read, it took the rest of
    // its line again from each repeat: 250 KB took 1.7 s of CPU, a megabyte 30 s, 6 MB (a function URL's most) minutes.
    await customer('un-large');
    const line = 'Content-Disposition: form-data;'.repeat(8_000);
    const body = `--b\r\n${line}\r\n\r\nOne-Click\r\n--b--\r\n`;
    // act
    const out = await request('POST', signUnsubscribe(KEY, { u: 'un-large', c: 'email' }), body);
    // assert
    expect(out.statusCode).toBe(413);
    expect(await block('un-large')).toBeUndefined();
  });

  it('counts a topic once however many times its link is followed at once (mail scanners, a double click)', async () => {
    // arrange: a customer; every SMS topic link up to the cap a profile keeps opted out of
    await customer('un-scanned');
    const links = Array.from({ length: MAX_JOURNEY_TOPIC_OPT_OUTS }, (_, i) =>
      signUnsubscribe(KEY, { u: 'un-scanned', c: 'sms', t: `journey-${i}` }),
    );
    // act: each link fetched by a scanner and posted twice at once
    for (const link of links)
      await Promise.all([
        request('GET', link),
        request('POST', link, 'List-Unsubscribe=One-Click'),
        request('POST', link, 'List-Unsubscribe=One-Click'),
      ]);
    // assert: every topic opted out, each counted once: the channel is not opted out instead
    const { profile } = await world.current.deps.profiles.get('un-scanned');
    expect(profile.consent.sms?.status).not.toBe('unsubscribed');
    expect(Object.values(profile.consent.sms?.topics ?? {}).filter((on) => on === false)).toHaveLength(
      MAX_JOURNEY_TOPIC_OPT_OUTS,
    );
  });

  it('one-click on a topic link opts out of that topic only', async () => {
    await customer('un-2');
    await request(
      'POST',
      signUnsubscribe(KEY, { u: 'un-2', c: 'email', t: 'newsletter' }),
      'List-Unsubscribe=One-Click',
    );
    expect(await block('un-2', 'newsletter')).toBe('unsubscribed from topic newsletter');
    expect(await block('un-2', 'offers')).toBeUndefined();
  });

  it('shows a preference page per channel and topic, and resubscribes from it', async () => {
    await customer('un-3');
    const token = signUnsubscribe(KEY, {
      u: 'un-3',
      c: 'email',
      t: '<b>deals</b>',
      i: Math.floor(NOW.getTime() / 1000),
    });
    const page = await request('GET', token);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('&lt;b&gt;deals&lt;/b&gt;');
    expect(page.body).not.toContain('<b>deals</b>');
    await request('POST', token, 'action=channel-off');
    expect(await block('un-3')).toBe('unsubscribed from email');
    // A second later, the customer changes their mind.
    world.current.advance(1000);
    const back = await request('POST', token, 'action=channel-on');
    expect(back.body).toContain('subscribed to email again');
    expect(await block('un-3')).toBeUndefined();
  });

  it.each(['topic-off', 'topic-on'])(
    'refuses %s on a link that names no topic, and leaves an opt-out as it is',
    async (action) => {
      const userId = `un-no-topic-${action}`;
      await customer(userId);
      const token = signUnsubscribe(KEY, { u: userId, c: 'email' });
      await request('POST', token, 'action=channel-off');
      const out = await request('POST', token, `action=${action}`);
      expect(out.statusCode).toBe(400);
      expect(await block(userId)).toBe('unsubscribed from email');
    },
  );

  it('does not offer or claim a resubscribe that a bounce keeps off', async () => {
    await customer('un-bounced');
    await world.current.deps.profiles.setConsent(
      'un-bounced',
      'email',
      {
        status: 'suppressed',
        reason: 'hard bounce',
      },
      new Date('2026-11-24T09:00:00Z'),
    );
    const token = signUnsubscribe(KEY, { u: 'un-bounced', c: 'email' });
    const page = await request('GET', token);
    expect(page.body).toContain('stay off');
    expect(page.body).not.toContain('value="channel-on"');
    // A form posted from an older page: the wish is recorded, the answer says what stays true.
    const back = await request('POST', token, 'action=channel-on');
    expect(back.body).not.toContain('subscribed to email again');
    expect(back.body).toContain('stay off');
    expect(await block('un-bounced')).toBeDefined();
  });

  it.each([
    [
      'a guessed, unsigned link',
      () => Buffer.from(JSON.stringify({ u: 'un-4', c: 'email' })).toString('base64url'),
    ],
    [
      'a link signed with another key',
      () => signUnsubscribe('some-other-key-of-at-least-32-chars!', { u: 'un-4', c: 'email' }),
    ],
    [
      "another customer's link edited to name this one",
      () => {
        const [version, , signature] = signUnsubscribe(KEY, { u: 'un-other', c: 'email' }).split('.');
        return `${version}.${Buffer.from(JSON.stringify({ u: 'un-4', c: 'email' })).toString('base64url')}.${signature}`;
      },
    ],
    ['an empty token', () => ''],
  ])('refuses %s and changes nothing', async (_why, token) => {
    await customer('un-4');
    const out = await request('POST', token(), 'List-Unsubscribe=One-Click');
    expect(out.statusCode).toBe(400);
    expect(await block('un-4')).toBeUndefined();
  });

  it('builds links on the endpoint with the token as the only parameter', () => {
    const link = new URL(unsubscribeLink('https://u.example/path', KEY, { u: 'x', c: 'email' }));
    expect([link.origin + link.pathname, [...link.searchParams.keys()]]).toEqual([
      'https://u.example/path',
      ['t'],
    ]);
  });
});
