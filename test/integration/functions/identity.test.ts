import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileIdentities } from '#functions/_lib/identity.ts';
import { GUARD_ATTRIBUTES } from '#functions/_lib/redelivery-guard.ts';
import { type IngestDeps, ingestEvent } from '#functions/ingest/ingest.ts';
import { addressKey } from '#shared/delivery/policy.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps } from './harness.ts';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('identity');
});
afterAll(async () => db.stop());

let counter = 0;
type Ids = { userId?: string; anonymousId?: string };
function anonTrack(ids: Ids, event: string, timestamp = '2026-11-20T09:00:00Z') {
  counter += 1;
  return { type: 'track', ...ids, event, properties: {}, timestamp, messageId: `id-${counter}` };
}
function anonIdentify(ids: Ids, traits: Record<string, unknown>, timestamp = '2026-11-24T09:00:00Z') {
  counter += 1;
  return { type: 'identify', ...ids, traits, timestamp, messageId: `id-${counter}` };
}
function alias(previousId: string, userId: string) {
  counter += 1;
  const timestamp = '2026-11-24T09:30:00Z';
  return { type: 'alias', previousId, userId, timestamp, messageId: `id-${counter}` };
}

/** A source trusted to merge known customers (an id migration from the app's backend, `aliasTrustedSources`). */
const BACKEND = 'acme.backend';
function fromBackend(deps: IngestDeps, event: unknown) {
  return ingestEvent({ ...deps, aliasTrustedSources: new Set([BACKEND]) }, event, BACKEND);
}

async function rawItem(key: string) {
  const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: key } }));
  return out.Item;
}

/** A visitor browsing anonymously, then a known customer with their own history. */
async function visitorAndCustomer(anonymousId: string, userId: string) {
  const { deps } = ingestDeps(db);
  await ingestEvent(deps, anonTrack({ anonymousId }, 'Page Viewed', '2026-11-10T08:00:00Z'));
  await ingestEvent(deps, anonTrack({ anonymousId }, 'Page Viewed', '2026-11-23T08:00:00Z'));
  await ingestEvent(deps, anonTrack({ anonymousId }, 'Signed Up'));
  await ingestEvent(
    deps,
    anonIdentify(
      { anonymousId },
      { plan: 'free', utm: 'ads', email: 'visitor@example.com', consent: { sms: false } },
    ),
  );
  await ingestEvent(deps, anonIdentify({ userId }, { plan: 'pro' }, '2026-11-01T00:00:00Z'));
  await ingestEvent(deps, anonTrack({ userId }, 'Page Viewed', '2026-11-15T08:00:00Z'));
  return deps;
}

describe('identity: identify with both ids merges the anonymous profile', () => {
  it('moves history, traits, channels and consent; known values win', async () => {
    // arrange
    const deps = await visitorAndCustomer('a-1', 'u-1');
    // act
    await ingestEvent(deps, anonIdentify({ userId: 'u-1', anonymousId: 'a-1' }, { firstName: 'Ada' }));
    // assert
    const { profile } = await deps.profiles.get('u-1');
    expect(profile.events['Page Viewed']).toMatchObject({
      count: 3,
      first: '2026-11-10T08:00:00.000Z',
      last: '2026-11-23T08:00:00.000Z',
    });
    expect(profile.events['Signed Up']?.count).toBe(1);
    expect(profile.traits).toMatchObject({ plan: 'pro', utm: 'ads', firstName: 'Ada' });
    expect(profile.email).toBe('visitor@example.com');
    expect(profile.consent.sms?.status).toBe('unsubscribed');
    // The anonymous item is now only an alias.
    const alias = await rawItem('anon:a-1');
    expect(alias).toMatchObject({ aliasOf: 'u-1', aliasState: 'merged' });
    expect(Object.keys(alias ?? {}).filter((k) => k.startsWith('t:') || k.startsWith('c:'))).toEqual([]);
  });

  it('changes nothing more when the identify is redelivered or repeated', async () => {
    // arrange
    const deps = await visitorAndCustomer('a-2', 'u-2');
    const call = anonIdentify({ userId: 'u-2', anonymousId: 'a-2' }, {});
    await ingestEvent(deps, call);
    const once = await rawItem('u-2');
    // act
    await ingestEvent(deps, call);
    await ingestEvent(deps, anonIdentify({ userId: 'u-2', anonymousId: 'a-2' }, {}));
    // assert: only the redelivery guard of the repeated identify differs
    const after = await rawItem('u-2');
    const history = (item: Record<string, unknown> | undefined) =>
      Object.fromEntries(
        Object.entries(item ?? {}).filter(
          ([k]) => k !== GUARD_ATTRIBUTES.recent && k !== GUARD_ATTRIBUTES.earlier,
        ),
      );
    expect(history(after)).toEqual(history(once));
  });

  it('sends later events with either id to the known profile; a redelivered old one counts once', async () => {
    // arrange
    const deps = await visitorAndCustomer('a-3', 'u-3');
    const early = anonTrack({ anonymousId: 'a-3' }, 'Cart Updated', '2026-11-22T08:00:00Z');
    await ingestEvent(deps, early);
    await ingestEvent(deps, anonIdentify({ userId: 'u-3', anonymousId: 'a-3' }, {}));
    // act
    await ingestEvent(deps, anonTrack({ anonymousId: 'a-3' }, 'Cart Updated', '2026-11-24T09:10:00Z'));
    await ingestEvent(
      deps,
      anonTrack({ userId: 'u-3', anonymousId: 'a-3' }, 'Cart Updated', '2026-11-24T09:20:00Z'),
    );
    const redelivered = await ingestEvent(deps, early);
    // assert
    expect(redelivered.status).toBe('duplicate');
    const { profile } = await deps.profiles.get('u-3');
    expect(profile.events['Cart Updated']?.count).toBe(3);
    expect((await rawItem('anon:a-3'))?.['c:Cart Updated']).toBeUndefined();
    // An enrollment still running under the anonymous key reads the merged profile.
    expect((await deps.profiles.get('anon:a-3')).profile).toMatchObject({
      userId: 'u-3',
      email: 'visitor@example.com',
    });
    // ...and a bounce of its message suppresses the address on the profile that has it.
    await deps.profiles.setConsent(
      'anon:a-3',
      'email',
      { status: 'suppressed', reason: 'hard bounce' },
      new Date('2026-11-24T10:00:00Z'),
    );
    expect((await deps.profiles.get('u-3')).profile.consent.email).toMatchObject({ status: 'suppressed' });
  });

  it("keeps a visitor's bounce on the address it stopped: the customer who moves to another is reachable", async () => {
    // arrange: the visitor's address bounced before they signed in (a customer with no email yet)
    const deps = await visitorAndCustomer('a-bounce', 'u-bounce');
    const bounced = addressKey({ channel: 'email', email: 'visitor@example.com' });
    await deps.profiles.setConsent(
      'anon:a-bounce',
      'email',
      {
        status: 'suppressed',
        reason: 'hard bounce',
        address: bounced,
      },
      new Date('2026-11-24T10:00:00Z'),
    );
    // act
    await ingestEvent(deps, anonIdentify({ userId: 'u-bounce', anonymousId: 'a-bounce' }, {}));
    const merged = (await deps.profiles.get('u-bounce')).profile;
    await ingestEvent(
      deps,
      anonIdentify({ userId: 'u-bounce' }, { email: 'fixed@example.com' }, '2026-11-24T10:00:00Z'),
    );
    // assert
    expect(merged).toMatchObject({
      email: 'visitor@example.com',
      consent: { email: { status: 'suppressed' } },
    });
    expect((await deps.profiles.get('u-bounce')).profile.consent.email?.status).not.toBe('suppressed');
  });

  it('a second customer identifying with the same anonymous id does not take its history', async () => {
    // arrange
    const deps = await visitorAndCustomer('a-4', 'u-4');
    await ingestEvent(deps, anonIdentify({ userId: 'u-4', anonymousId: 'a-4' }, {}));
    // act
    await ingestEvent(deps, anonIdentify({ userId: 'u-4b', anonymousId: 'a-4' }, { plan: 'basic' }));
    // assert
    expect((await deps.profiles.get('u-4b')).profile.events['Page Viewed']).toBeUndefined();
    expect((await deps.profiles.get('u-4')).profile.events['Page Viewed']?.count).toBe(3);
  });

  it('finishes an interrupted merge without adding anything twice', async () => {
    // arrange: the merge crashes after copying, before the anonymous item is reduced
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, anonTrack({ anonymousId: 'a-5' }, 'Page Viewed'));
    await ingestEvent(deps, anonTrack({ anonymousId: 'a-5' }, 'Page Viewed'));
    await ingestEvent(deps, anonIdentify({ userId: 'u-5' }, { plan: 'pro' }));
    const crashing = new Proxy(db.doc, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: unknown) => {
          const reducing =
            command instanceof UpdateCommand &&
            command.input.Key?.userId === 'anon:a-5' &&
            (command.input.UpdateExpression ?? '').includes('REMOVE');
          if (reducing) throw new Error('connection reset');
          return target.send(command as UpdateCommand);
        };
      },
    });
    const now = () => new Date('2026-11-24T10:00:00Z');
    await expect(
      new ProfileIdentities(crashing, db.tables.profiles, now).merge('anon:a-5', 'u-5'),
    ).rejects.toThrow('connection reset');
    // act: the redelivered identify finishes the merge
    await ingestEvent(deps, anonIdentify({ userId: 'u-5', anonymousId: 'a-5' }, {}));
    // assert
    expect((await deps.profiles.get('u-5')).profile.events['Page Viewed']?.count).toBe(2);
    expect(await rawItem('anon:a-5')).toMatchObject({ aliasState: 'merged' });
  });
});

describe('identity: alias', () => {
  it('merges the previous id, follows a chain and leaves a bystander alone', async () => {
    // arrange
    const deps = await visitorAndCustomer('a-6', 'u-6');
    const { deps: bystanderDeps } = ingestDeps(db);
    await ingestEvent(bystanderDeps, anonTrack({ userId: 'v-6' }, 'Page Viewed'));
    await ingestEvent(bystanderDeps, anonIdentify({ userId: 'v-6' }, { plan: 'basic' }));
    const bystander = await rawItem('v-6');
    await ingestEvent(deps, anonIdentify({ userId: 'u-6', anonymousId: 'a-6' }, {}));
    await ingestEvent(deps, anonTrack({ userId: 'w-6' }, 'Signed Up'));
    // act: u-6 becomes w-6 (an account merge), then events arrive under every old id
    const aliased = await fromBackend(deps, alias('u-6', 'w-6'));
    await ingestEvent(deps, anonTrack({ anonymousId: 'a-6' }, 'Page Viewed', '2026-11-24T09:40:00Z'));
    await ingestEvent(deps, anonTrack({ userId: 'u-6' }, 'Page Viewed', '2026-11-24T09:41:00Z'));
    // assert
    expect(aliased.status).toBe('recorded');
    const { profile } = await deps.profiles.get('w-6');
    expect(profile.events['Page Viewed']?.count).toBe(5);
    expect(profile.events['Signed Up']?.count).toBe(2);
    expect(profile.traits).toMatchObject({ plan: 'pro', utm: 'ads' });
    expect(await rawItem('u-6')).toMatchObject({ aliasOf: 'w-6', aliasState: 'merged' });
    expect(await rawItem('v-6')).toEqual(bystander);
  });

  it('merges an anonymous previousId, and a repeated alias changes nothing', async () => {
    // arrange
    const deps = await visitorAndCustomer('a-7', 'u-7');
    const history = (item: Record<string, unknown> | undefined) =>
      Object.fromEntries(
        Object.entries(item ?? {}).filter(
          ([k]) => k !== GUARD_ATTRIBUTES.recent && k !== GUARD_ATTRIBUTES.earlier,
        ),
      );
    // act
    await ingestEvent(deps, alias('a-7', 'u-7'));
    const once = await rawItem('u-7');
    await ingestEvent(deps, alias('a-7', 'u-7'));
    // assert: only the redelivery guard of the repeated call differs
    expect((await deps.profiles.get('u-7')).profile.events['Page Viewed']?.count).toBe(3);
    expect(history(await rawItem('u-7'))).toEqual(history(once));
  });

  it('refuses an alias that would close a loop, with the reason kept', async () => {
    // arrange
    const { deps, sqs } = ingestDeps(db);
    await ingestEvent(deps, anonTrack({ userId: 'u-8' }, 'Page Viewed'));
    await fromBackend(deps, alias('u-8', 'w-8'));
    // act
    const result = await fromBackend(deps, alias('w-8', 'u-8'));
    // assert
    expect(result.status).toBe('rejected');
    const kept = sqs.commandCalls(SendMessageCommand).map((c) => String(c.args[0].input.MessageBody));
    expect(kept.some((body) => body.includes('u-8 is already merged into w-8'))).toBe(true);
    expect((await deps.profiles.get('w-8')).profile.events['Page Viewed']?.count).toBe(1);
  });

  it('keeps a chain of changed ids at most 8 long: every old id finds its profile, and a loop is still refused', async () => {
    // arrange: a customer whose id changes 12 times, each old id aliased to the next, an event under each first
    const { deps, sqs } = ingestDeps(db);
    const ids = Array.from({ length: 13 }, (_, n) => `chain-${n}`);
    const statuses: string[] = [];
    for (const [n, id] of ids.entries()) {
      await ingestEvent(deps, anonTrack({ userId: id }, 'Page Viewed'));
      const next = ids[n + 1];
      if (next !== undefined) statuses.push((await fromBackend(deps, alias(id, next))).status);
    }
    // act: events under the oldest ids arrive (an old device, a warehouse sync), and an alias back to the first
    const oldest = await ingestEvent(
      deps,
      anonTrack({ userId: 'chain-0' }, 'Page Viewed', '2026-11-24T09:40:00Z'),
    );
    const second = await ingestEvent(
      deps,
      anonTrack({ userId: 'chain-1' }, 'Page Viewed', '2026-11-24T09:41:00Z'),
    );
    const loop = await fromBackend(deps, alias('chain-8', 'chain-0'));
    // assert: the ninth change, which would put chain-0 nine hops away, is refused with the reason
    expect(statuses).toEqual([...Array(8).fill('recorded'), 'rejected', 'recorded', 'recorded', 'recorded']);
    const kept = sqs.commandCalls(SendMessageCommand).map((c) => String(c.args[0].input.MessageBody));
    expect(kept.some((body) => body.includes('chain-8 ends a chain of 8 merged ids'))).toBe(true);
    // the oldest ids reach the profile at the chain's end, with its whole history
    expect(oldest.status).toBe('recorded');
    expect(second.status).toBe('recorded');
    expect((await deps.profiles.get('chain-0')).profile.events['Page Viewed']?.count).toBe(11);
    expect((await deps.profiles.get('chain-12')).profile.events['Page Viewed']?.count).toBe(4);
    expect(loop.status).toBe('rejected');
    expect(kept.some((body) => body.includes('chain-0 is already merged into chain-8'))).toBe(true);
    expect(await rawItem('chain-8')).toMatchObject({ aliasDepth: 8 });
    expect(await rawItem('chain-8')).not.toHaveProperty('aliasOf');
  });

  it('rejects an alias without previousId', async () => {
    const { deps } = ingestDeps(db);
    const result = await ingestEvent(deps, {
      type: 'alias',
      userId: 'u-9',
      timestamp: '2026-11-24T09:00:00Z',
      messageId: 'x',
    });
    expect(result).toMatchObject({ status: 'rejected', problems: [{ field: 'previousId' }] });
  });
});

describe('identity: folded daily counts', () => {
  it('add up when both profiles folded their days', async () => {
    // arrange: both profiles count 'Viewed' on ten days each, overlapping on five (folded after seven)
    const { deps } = ingestDeps(db);
    const dayCount = (key: string, day: number) => {
      counter += 1;
      const timestamp = new Date(Date.parse('2026-11-01T12:00:00Z') + day * 86_400_000).toISOString();
      const change = {
        userId: key,
        messageId: `fold-${counter}`,
        timestamp,
        traits: {},
        pushTokens: [],
        consent: [],
        topics: [],
        track: { event: 'Viewed', day: timestamp.slice(0, 10) },
        droppedTraits: [],
      };
      return deps.profiles.recordEvent(change, new Date(Date.parse(timestamp) + 3_600_000));
    };
    for (let day = 0; day < 10; day++) await dayCount('anon:a-9', day);
    for (let day = 5; day < 15; day++) await dayCount('u-9', day);
    expect(Object.keys((await rawItem('anon:a-9')) ?? {})).toContain('dh:Viewed');
    expect(Object.keys((await rawItem('u-9')) ?? {})).toContain('dh:Viewed');
    // act
    await ingestEvent(deps, anonIdentify({ userId: 'u-9', anonymousId: 'a-9' }, {}));
    // assert: one count on days only one profile saw, two on the five both saw
    const days = (await deps.profiles.get('u-9')).profile.events.Viewed?.days ?? {};
    const expected: Record<string, number> = {};
    for (let day = 0; day < 15; day++) {
      const iso = new Date(Date.parse('2026-11-01T12:00:00Z') + day * 86_400_000).toISOString().slice(0, 10);
      expected[iso] = day >= 5 && day < 10 ? 2 : 1;
    }
    expect({ ...days }).toEqual(expected);
  });
});
