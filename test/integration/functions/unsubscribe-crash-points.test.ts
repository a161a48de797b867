import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { signUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { handleUnsubscribe, type UnsubscribeDeps } from '#functions/unsubscribe/unsubscribe.ts';
import { caseId } from '../../support/case-ids.ts';
import { CrashPlan, crashPointsOf, firstOfEachPath, type Landing } from '../../support/crash-points.ts';
import { collectedCrashPointWorld, type HandlerWorld } from '../../support/ingest-world.ts';
import { identify } from './harness.ts';

/**
 * The unsubscribe endpoint dies at each point of a request — before one of
 * its requests to the profiles table lands, or after it lands with the
 * answer never read (the customer sees an error) — and the customer clicks
 * again, or the mailbox provider posts the one-click again. Whatever the
 * point, the profile ends with the consent asked for, as one change: the
 * channel's or topic's opt-out held once, nothing else of the profile moved.
 */

const NOW = new Date('2026-11-24T10:00:00Z');
const now = () => NOW;
const KEY = 'unsubscribe-test-key-of-at-least-32-chars';
// Started as the file is collected: the points are those of each request with nothing failing.
const world: HandlerWorld = await collectedCrashPointWorld('unsubscribe-crash');

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
  const id = caseId('unsub');
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

type Run = Awaited<ReturnType<typeof run>>;

async function rawProfile(id: string) {
  const out = await world.db.doc.send(
    new GetCommand({ TableName: world.db.tables.profiles, Key: { userId: id }, ConsistentRead: true }),
  );
  return out.Item;
}

describe.each(REQUESTS)('$kind', async (request) => {
  const expected = (topic: string | undefined) => {
    if (request.body === 'action=channel-on') return { status: 'subscribed' };
    if (request.body === 'action=channel-off' || topic === undefined) return { status: 'unsubscribed' };
    return { topics: { [topic]: false } };
  };

  world.nothingFails();
  const clean = await run(request, Number.POSITIVE_INFINITY, 'before');

  it(`makes ${clean.requests} requests when nothing fails`, () => {
    expect([clean.died, clean.result?.statusCode]).toEqual([false, 200]);
    expect(clean.profile.consent.email).toMatchObject(expected(request.topic));
  });

  it.each(crashPointsOf(clean.path))(
    'at request $point, $landing it lands: the consent asked for, applied once',
    async ({ point, landing }) => {
      const { died, result, profile, before, after } = await run(request, point, landing);
      expect(died).toBe(point < clean.requests);
      expect(result?.statusCode).toBe(200);
      expect(profile.consent.email).toMatchObject(expected(request.topic));
      expect(profile.traits.plan).toBe('plus');
      // Nothing but consent moved: the customer's events, traits and redelivery guard are as they were.
      for (const key of Object.keys(before ?? {}).filter((k) => !k.startsWith('consent') && k !== 'c'))
        expect([key, after?.[key]]).toEqual([key, before?.[key]]);
    },
  );
});

describe('a link of a customer no profile is kept for (erased, or never stored)', async () => {
  const noProfile = { noProfile: true };
  const expectAnswered = ({ result, after }: Run) => {
    expect(result?.statusCode).toBe(200);
    expect(result?.body).toContain('We keep no preferences for you');
    expect(after).toBeUndefined();
  };
  // Requests that make the same requests in the same order die alike: the first of each path stands for the others.
  const cleans: { request: (typeof REQUESTS)[number]; clean: Run }[] = [];
  for (const request of REQUESTS) {
    world.nothingFails();
    cleans.push({ request, clean: await run(request, Number.POSITIVE_INFINITY, 'before', noProfile) });
  }
  const dying = firstOfEachPath(cleans.map(({ clean }) => clean.path)).flatMap(
    (index) => cleans[index] ?? [],
  );

  it.each(cleans.map(({ request, clean }) => ({ kind: request.kind, clean })))(
    '$kind: answered, and no profile is created',
    ({ clean }) => {
      expect(clean.died).toBe(false);
      expectAnswered(clean);
    },
  );

  it.each(
    dying.flatMap(({ request, clean }) =>
      crashPointsOf(clean.path).map((point) => ({ kind: request.kind, request, clean, ...point })),
    ),
  )(
    '$kind, dying at request $point $landing it lands: answered, and no profile is created',
    async ({ point, landing, request, clean }) => {
      const out = await run(request, point, landing, noProfile);
      expect(out.died).toBe(point < clean.requests);
      expectAnswered(out);
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
