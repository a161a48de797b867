import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { signUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { handleUnsubscribe, type UnsubscribeDeps } from '#functions/unsubscribe/unsubscribe.ts';
import { CrashPlan, crashPoints, type Landing } from '../../support/crash-points.ts';
import { crashPointWorld, type HandlerWorld } from '../../support/ingest-world.ts';
import { identify } from './harness.ts';

/**
 * The unsubscribe endpoint dies at each point of a request — before one of
 * its requests to the profiles table lands, or after it lands with the
 * answer never read (the customer sees an error) — and the customer clicks
 * again, or the mailbox provider posts the one-click again. Whatever the
 * point, the profile ends with the consent asked for, as one change: the
 * channel's or topic's opt-out held once, nothing else of the profile moved.
 */

let world: HandlerWorld;
let n = 0;
const NOW = new Date('2026-11-24T10:00:00Z');
const now = () => NOW;
const KEY = 'unsubscribe-test-key-of-at-least-32-chars';
crashPointWorld('unsubscribe-crash', (w) => {
  world = w;
});

/** More requests than one request to the endpoint makes (checked below). */
const POINTS = 8;

function unsubscribeDeps(faulty: boolean): UnsubscribeDeps {
  return {
    profiles: new ProfilesRepository(world.docOf(faulty), world.db.tables.profiles),
    keys: { keys: async () => [KEY], reload: async () => undefined },
    now,
  };
}

const REQUESTS = [
  { kind: 'one-click on a channel link', topic: undefined, body: 'List-Unsubscribe=One-Click' },
  { kind: 'one-click on a topic link', topic: 'offers', body: 'List-Unsubscribe=One-Click' },
  { kind: 'the page opting out of a topic', topic: 'offers', body: 'action=topic-off' },
  { kind: 'the page opting out of the channel', topic: 'offers', body: 'action=channel-off' },
  { kind: 'the page opting back in to the channel', topic: undefined, body: 'action=channel-on' },
] as const;

async function run(
  request: { topic: string | undefined; body: string; method?: string },
  point: number,
  landing: Landing,
  options: { noProfile?: boolean } = {},
) {
  n += 1;
  const id = `unsub${n}`;
  if (options.noProfile !== true)
    await ingestEvent(
      world.ingestDeps(false, now),
      identify(id, { email: `${id}@example.com`, plan: 'plus' }, '2026-11-01T00:00:00Z'),
    );
  const before = await rawProfile(id);
  const token = signUnsubscribe(KEY, {
    u: id,
    c: 'email',
    // Sent an hour before: a link to opt back in is still honoured.
    i: Math.floor(NOW.getTime() / 1000) - 3600,
    ...(request.topic === undefined ? {} : { t: request.topic }),
  });
  const post = (faulty: boolean) =>
    handleUnsubscribe(unsubscribeDeps(faulty), {
      method: request.method ?? 'POST',
      query: new URLSearchParams({ t: token }),
      body: request.body,
    });
  const out = await world.dieThenRetry(new CrashPlan(point, landing), () => post(true));
  return {
    ...out,
    before,
    after: await rawProfile(id),
    profile: (await unsubscribeDeps(false).profiles.get(id)).profile,
  };
}

async function rawProfile(id: string) {
  const out = await world.db.doc.send(
    new GetCommand({ TableName: world.db.tables.profiles, Key: { userId: id }, ConsistentRead: true }),
  );
  return out.Item;
}

describe.each(REQUESTS)('$kind', (request) => {
  const expected = (topic: string | undefined) => {
    if (request.body === 'action=channel-on') return { status: 'subscribed' };
    if (request.body === 'action=channel-off' || topic === undefined) return { status: 'unsubscribed' };
    return { topics: { [topic]: false } };
  };

  it(`makes fewer than ${POINTS} requests when nothing fails`, async () => {
    const { requests, died, result, profile } = await run(request, Number.POSITIVE_INFINITY, 'before');
    expect([died, result?.statusCode]).toEqual([false, 200]);
    expect(profile.consent.email).toMatchObject(expected(request.topic));
    expect(requests).toBeLessThan(POINTS);
  });

  it.each(crashPoints(POINTS))(
    'at request $point, $landing it lands: the consent asked for, applied once',
    async ({ point, landing }) => {
      const { result, profile, before, after } = await run(request, point, landing);
      expect(result?.statusCode).toBe(200);
      expect(profile.consent.email).toMatchObject(expected(request.topic));
      expect(profile.traits.plan).toBe('plus');
      // Nothing but consent moved: the customer's events, traits and redelivery guard are as they were.
      for (const key of Object.keys(before ?? {}).filter((k) => !k.startsWith('consent') && k !== 'c'))
        expect([key, after?.[key]]).toEqual([key, before?.[key]]);
    },
  );
});

describe('a link of a customer no profile is kept for (erased, or never stored)', () => {
  it.each(REQUESTS.flatMap((request) => crashPoints(POINTS).map((point) => ({ ...request, ...point }))))(
    '$kind, dying at request $point $landing it lands: answered, and no profile is created',
    async ({ point, landing, ...request }) => {
      const { result, after } = await run(request, point, landing, { noProfile: true });
      expect(result?.statusCode).toBe(200);
      expect(result?.body).toContain('We keep no preferences for you');
      expect(after).toBeUndefined();
    },
  );
});

describe('the preferences page (GET)', () => {
  it.each([
    ['a customer with a profile', false],
    ['a customer no profile is kept for', true],
  ])('reads the profile once for %s', async (_, noProfile) => {
    const page = { topic: 'offers', body: '', method: 'GET' };
    const { result, requests } = await run(page, Number.POSITIVE_INFINITY, 'before', { noProfile });
    expect(result?.statusCode).toBe(200);
    expect(requests).toBe(1);
  });
});
