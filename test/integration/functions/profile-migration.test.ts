import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * A profile item written by the previous layout (every message id, active
 * enrollments, waiting steps and re-entry records on the item) is migrated by
 * its next write: the records move to the enrollments table, nothing is lost.
 */

const ENROLLED = '2026-11-20T10:00:00.000Z';
const legacyItem = {
  userId: 'u-old',
  'm:msg-1': 1795100000000,
  'm:msg-2': 1795100001000,
  't:plan': 'pro',
  email: 'old@example.com',
  'cs:email': 'subscribed',
  traitsAt: '2026-11-20T09:00:00.000Z',
  'en:Order Completed': 3,
  'ef:Order Completed': '2026-10-01T10:00:00.000Z',
  'el:Order Completed': '2026-11-19T10:00:00.000Z',
  'ed:Order Completed:2026-11-19': 2,
  'ex:Order Completed': {
    messageId: 'msg-2',
    timestamp: '2026-11-19T10:00:00.000Z',
    properties: { total: 9 },
  },
  'r:cart#c1': { at: ENROLLED, enrollmentId: 'cart-old' },
  'a:cart-old': {
    enrollmentId: 'cart-old',
    journeyId: 'cart',
    version: '1',
    executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:journey-cart:cart-old',
    enrolledAt: ENROLLED,
    correlation: 'c1',
  },
  'w:cart-old:wait': {
    enrollmentId: 'cart-old',
    journeyId: 'cart',
    version: '1',
    stepId: 'wait',
    event: 'Survey Answered',
    match: [],
    token: 'old-token',
    startedAt: ENROLLED,
    expiresAt: '2026-11-27T10:00:00.000Z',
    trigger: { type: 'track', event: 'Cart Updated', properties: { cartId: 'c1', items: ['a', 'b'] } },
  },
  'wf:Survey Answered': 1,
};

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('migration');
  await registerJourney(db, {
    id: 'cart',
    name: 'Cart',
    trigger: { type: 'event', event: 'Cart Updated', correlationKey: 'event.properties.cartId' },
    reentry: { mode: 'once' },
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
});
afterAll(async () => db.stop());

/** An item of layout 3: three attributes per event name, ISO day keys, map snapshots, hex digests. */
const layout3Item = {
  userId: 'u-3',
  fv: 3,
  't:plan': 'pro',
  tn: new Set(['plan']),
  traitsAt: Date.parse('2026-11-24T09:00:00.000Z'),
  'en:Order Completed': 5,
  'ef:Order Completed': Date.parse('2026-09-01T08:00:00.123Z'),
  'el:Order Completed': Date.parse('2026-11-24T09:30:00.000Z'),
  'ed:Order Completed:2026-11-20': 2,
  'ed:Order Completed:2026-11-24': 1,
  'ex:Order Completed': {
    messageId: 'm-5',
    timestamp: '2026-11-24T09:30:00.000Z',
    properties: { total: 42 },
  },
  'wf:Order Completed': 1,
  'sends:email': ['2026-11-23T08:00:00.000Z'],
  sendsVersion: 1,
  'en:Page Viewed': 1,
  'ef:Page Viewed': Date.parse('1969-12-31T23:59:59.000Z'),
  'el:Page Viewed': Date.parse('1969-12-31T23:59:59.000Z'),
};

describe('profile items of the previous layout', () => {
  it('of layout 3 are rewritten in the current one with nothing lost', async () => {
    // arrange: the item, and a message it has already seen (its digest in the ring)
    await db.doc.send(new PutCommand({ TableName: db.tables.profiles, Item: layout3Item }));
    const { deps } = ingestDeps(db, () => new Date('2026-11-24T10:00:00.000Z'));
    const seen = track('u-3', 'Page Viewed', {}, '2026-11-24T09:00:00.000Z');
    await ingestEvent(deps, seen);
    const before = await deps.profiles.get('u-3');
    expect(before.profile.events['Page Viewed']?.count).toBe(2);
    await db.doc.send(new PutCommand({ TableName: db.tables.profiles, Item: layout3Item }));
    const digests = Object.entries(
      (await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: 'u-3' } }))).Item ??
        {},
    );
    expect(digests.filter(([k]) => k.startsWith('mh:'))).toEqual([]);
    // act: the layout-3 item with the seen message's digest as layout 3 stored it, then a redelivery and a new event
    const { hex128 } = await import('#shared/hash.ts');
    const hex = hex128(seen.messageId).slice(0, 16);
    const slot = Number.parseInt(hex.slice(0, 8), 16) % 32;
    await db.doc.send(
      new PutCommand({ TableName: db.tables.profiles, Item: { ...layout3Item, [`mh:${slot}`]: hex } }),
    );
    const redelivered = await ingestEvent(deps, seen);
    await ingestEvent(deps, track('u-3', 'Order Completed', { total: 7 }, '2026-11-24T09:45:00.000Z'));
    // assert: the layout
    const item =
      (await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: 'u-3' } }))).Item ??
      {};
    expect(item.fv).toBe(5);
    expect(Object.keys(item).filter((k) => /^(en|ef|el|ed|ex|mh):|^traitsAt$/.test(k))).toEqual([]);
    // assert: what the profile knew, and the redelivery recognised across the migration
    expect(redelivered.status).toBe('duplicate');
    const { profile, lastEvents, waitingFor, sends } = await deps.profiles.get('u-3');
    expect(sends.email).toEqual(['2026-11-23T08:00:00.000Z']);
    // A cap reservation rewrites the list as epoch milliseconds; it reads back the same.
    expect(
      await deps.profiles.reserveSends('u-3', 1, { email: [...sends.email, '2026-11-24T10:00:00.000Z'] }),
    ).toBe(true);
    const reserved = await db.doc.send(
      new GetCommand({ TableName: db.tables.profiles, Key: { userId: 'u-3' } }),
    );
    expect(reserved.Item?.['sends:email']).toEqual([
      Date.parse('2026-11-23T08:00:00.000Z'),
      Date.parse('2026-11-24T10:00:00.000Z'),
    ]);
    expect((await deps.profiles.get('u-3')).sends.email).toEqual([
      '2026-11-23T08:00:00.000Z',
      '2026-11-24T10:00:00.000Z',
    ]);
    expect(profile.traits.plan).toBe('pro');
    expect(profile.events['Order Completed']).toEqual({
      count: 6,
      first: '2026-09-01T08:00:00.123Z',
      last: '2026-11-24T09:45:00.000Z',
      // No live journey counts this event over a window: its new occurrence adds no daily count.
      days: { '2026-11-20': 2, '2026-11-24': 1 },
    });
    expect(profile.events['Page Viewed']).toMatchObject({ count: 1, first: '1969-12-31T23:59:59.000Z' });
    // The snapshot moved (no live journey awaits this event, so the new occurrence keeps none).
    expect(lastEvents['Order Completed']).toEqual({
      messageId: 'm-5',
      timestamp: '2026-11-24T09:30:00.000Z',
      properties: { total: 42 },
    });
    // The count the layout kept said one step waited; the event's lookup found none, so it is gone.
    expect(waitingFor['Order Completed'] ?? 0).toBe(0);
    expect(item.ta).toBe(Date.parse('2026-11-24T09:00:00.000Z'));
    // The set of trait names became their count.
    expect(item.tn).toBeUndefined();
    expect(item.tc).toBe(1);
  });

  it('of layout 3 read the same before and after their migration', async () => {
    // arrange
    await db.doc.send(
      new PutCommand({ TableName: db.tables.profiles, Item: { ...layout3Item, userId: 'u-3b' } }),
    );
    const { deps } = ingestDeps(db, () => new Date('2026-11-24T10:00:00.000Z'));
    const before = await deps.profiles.get('u-3b');
    // act: an identify that changes nothing the reader shows
    await ingestEvent(deps, identify('u-3b', { plan: 'pro' }, '2026-11-24T09:50:00.000Z'));
    // assert
    const after = await deps.profiles.get('u-3b');
    expect(after.profile.events).toEqual(before.profile.events);
    expect(after.lastEvents).toEqual(before.lastEvents);
    expect(after.waitingFor).toEqual(before.waitingFor);
  });

  it('are migrated by their next write with nothing lost', async () => {
    // arrange
    await db.doc.send(new PutCommand({ TableName: db.tables.profiles, Item: legacyItem }));
    const { deps, sfn } = ingestDeps(db);
    // act: an unrelated event, then the awaited one, then a redelivery of an old message and a re-entry attempt
    await ingestEvent(deps, identify('u-old', { firstName: 'Ada' }));
    await ingestEvent(deps, track('u-old', 'Survey Answered', { score: 9 }));
    const reentry = await ingestEvent(deps, track('u-old', 'Cart Updated', { cartId: 'c1' }));
    // assert: the layout
    const item =
      (await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: 'u-old' } }))).Item ??
      {};
    expect(item.fv).toBe(5);
    expect(Object.keys(item).filter((k) => /^(m|a|w|r|en|ef|el|ed|ex|mh):/.test(k))).toEqual([]);
    // assert: what the profile knew
    const { profile } = await deps.profiles.get('u-old');
    expect(profile.traits).toMatchObject({ plan: 'pro', firstName: 'Ada' });
    expect(profile.email).toBe('old@example.com');
    expect(profile.events['Order Completed']).toMatchObject({
      count: 3,
      first: '2026-10-01T10:00:00.000Z',
      days: { '2026-11-19': 2 },
    });
    // assert: the records moved and still work
    expect(await deps.enrollments.enrollment('u-old', 'cart-old')).toMatchObject({ correlation: 'c1' });
    expect(reentry).toMatchObject({ status: 'recorded', enrolled: [] });
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([
      'old-token',
    ]);
    expect(await deps.enrollments.waitersOf('u-old', 'cart-old')).toEqual([]);
  });

  it('of the layout with ISO times get epoch times, and later events compare with them in time order', async () => {
    // arrange: an item of the second layout (times as ISO strings)
    await db.doc.send(
      new PutCommand({
        TableName: db.tables.profiles,
        Item: {
          userId: 'u-iso',
          fv: 2,
          't:plan': 'pro',
          tn: new Set(['plan']),
          traitsAt: '2026-11-24T09:00:00.000Z',
          'en:Page Viewed': 2,
          'ef:Page Viewed': '2026-11-01T08:00:00.000Z',
          'el:Page Viewed': '2026-11-24T09:30:00.000Z',
        },
      }),
    );
    const { deps } = ingestDeps(db);
    // act: one event older than the last seen (fills gaps only), one newer, one identify older than traitsAt
    await ingestEvent(deps, track('u-iso', 'Page Viewed', {}, '2026-11-20T00:00:00.000Z'));
    await ingestEvent(deps, track('u-iso', 'Page Viewed', {}, '2026-11-24T09:45:00.000Z'));
    await ingestEvent(deps, identify('u-iso', { plan: 'free' }, '2026-11-24T08:00:00.000Z'));
    // assert
    const item =
      (await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: 'u-iso' } }))).Item ??
      {};
    expect(item.fv).toBe(5);
    expect(item.ta).toBe(Date.parse('2026-11-24T09:00:00.000Z'));
    expect(item.traitsAt).toBeUndefined();
    const { profile } = await deps.profiles.get('u-iso');
    expect(profile.traits.plan).toBe('pro');
    expect(profile.events['Page Viewed']).toMatchObject({
      count: 4,
      first: '2026-11-01T08:00:00.000Z',
      last: '2026-11-24T09:45:00.000Z',
    });
  });
});
