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

describe('profile items of the previous layout', () => {
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
    expect(item.fv).toBe(3);
    expect(item['ef:Order Completed']).toBe(Date.parse('2026-10-01T10:00:00.000Z'));
    expect(Object.keys(item).filter((k) => /^(m|a|w|r):/.test(k))).toEqual([]);
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
    expect(item.fv).toBe(3);
    expect(item.traitsAt).toBe(Date.parse('2026-11-24T09:00:00.000Z'));
    const { profile } = await deps.profiles.get('u-iso');
    expect(profile.traits.plan).toBe('pro');
    expect(profile.events['Page Viewed']).toMatchObject({
      count: 4,
      first: '2026-11-01T08:00:00.000Z',
      last: '2026-11-24T09:45:00.000Z',
    });
  });
});
