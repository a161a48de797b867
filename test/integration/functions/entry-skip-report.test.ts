import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps, planCopyJourney, registerJourney, track } from './harness.ts';

/**
 * Ingest answers with each entry it decided to skip — the customer, the
 * journey and version, the reason and what it was judged on — so that "why
 * did they not enter?" has an answer without reading counters.
 */

let db: LocalDynamo;
const EXIT = { start: 'done', steps: { done: { type: 'exit' } } } as const;
const NOW = '2026-11-24T10:00:00Z';

beforeAll(async () => {
  db = await startDynalite('entry-skip-report');
  await registerJourney(db, planCopyJourney('plan-copy', 'Signed Up'));
  await registerJourney(db, {
    id: 'fresh-daily',
    name: 'Fresh, once a day',
    trigger: { type: 'event', event: 'Order Shipped', maxAge: 'PT1H', limit: { max: 1, per: 'P1D' } },
    reentry: 'always',
    ...EXIT,
  });
  await registerJourney(db, {
    id: 'typed',
    name: 'Typed context',
    trigger: { type: 'event', event: 'Booking Made' },
    context: { bookingId: { type: 'string', from: 'trigger.properties.bookingId', maxLength: 8 } },
    reentry: 'always',
    ...EXIT,
  });
  await registerJourney(db, {
    id: 'big-spenders',
    name: 'Big spenders, once',
    trigger: { type: 'event', event: 'Order Completed', where: { path: 'event.properties.total', gte: 100 } },
    audience: { path: 'profile.traits.vip', eq: true },
    reentry: 'once',
    ...EXIT,
  });
  await registerJourney(db, {
    id: 'weekly',
    name: 'Weekly',
    trigger: { type: 'event', event: 'Visited' },
    reentry: { mode: 'after', cooldown: 'P7D' },
    ...EXIT,
  });
});
afterAll(async () => db.stop());

async function skipsOf(event: ReturnType<typeof track>, now = NOW) {
  const { deps } = ingestDeps(db, () => new Date(now));
  const result = await ingestEvent(deps, event);
  if (result.status === 'rejected') throw new Error('rejected');
  return result.skipped;
}

describe('ingest reports the entries it skipped', () => {
  it('names the trigger value a step copies when the event lacks it', async () => {
    expect(await skipsOf(track('u-plan', 'Signed Up', {}))).toEqual([
      {
        userId: 'u-plan',
        journeyId: 'plan-copy',
        version: '1',
        reason: 'missing',
        detail: { paths: ['trigger.properties.plan'] },
      },
    ]);
  });

  it('says how old an event may be, and the window a limit counts over', async () => {
    const late = await skipsOf(track('u-ship', 'Order Shipped', {}, '2026-11-24T08:00:00Z'));
    expect(late).toEqual([
      expect.objectContaining({ journeyId: 'fresh-daily', reason: 'tooOld', detail: { maxAge: 'PT1H' } }),
    ]);
    expect(await skipsOf(track('u-ship', 'Order Shipped'))).toEqual([]);
    expect(await skipsOf(track('u-ship', 'Order Shipped'))).toEqual([
      expect.objectContaining({ reason: 'limit', detail: { max: 1, per: 'P1D' } }),
    ]);
  });

  it('names the context value of another type without its value', async () => {
    const skips = await skipsOf(track('u-book', 'Booking Made', { bookingId: 'far-too-long-id' }));
    expect(skips).toEqual([
      expect.objectContaining({
        reason: 'context',
        detail: {
          paths: ['trigger.properties.bookingId'],
          problem: 'is 15 characters long, over its maxLength 8',
        },
      }),
    ]);
    expect(JSON.stringify(skips)).not.toContain('far-too-long-id');
  });

  it('reports a trigger condition, the audience and the re-entry rule that kept the customer out', async () => {
    expect(await skipsOf(track('u-vip', 'Order Completed', { total: 20 }))).toEqual([
      expect.objectContaining({ journeyId: 'big-spenders', reason: 'where' }),
    ]);
    expect(await skipsOf(track('u-vip', 'Order Completed', { total: 200 }))).toEqual([
      expect.objectContaining({ journeyId: 'big-spenders', reason: 'audience' }),
    ]);
    const { deps } = ingestDeps(db, () => new Date(NOW));
    await ingestEvent(deps, {
      type: 'identify',
      userId: 'u-vip',
      traits: { vip: true },
      timestamp: NOW,
      messageId: 'vip-1',
    });
    expect(await skipsOf(track('u-vip', 'Order Completed', { total: 200 }))).toEqual([]);
    expect(await skipsOf(track('u-vip', 'Order Completed', { total: 300 }))).toEqual([
      expect.objectContaining({ journeyId: 'big-spenders', reason: 'reentry' }),
    ]);
  });

  it('reports a cooldown with its length, and nothing once it is over', async () => {
    expect(await skipsOf(track('u-week', 'Visited'))).toEqual([]);
    expect(await skipsOf(track('u-week', 'Visited'), '2026-11-27T10:00:00Z')).toEqual([
      expect.objectContaining({ journeyId: 'weekly', reason: 'cooldown', detail: { cooldown: 'P7D' } }),
    ]);
    expect(await skipsOf(track('u-week', 'Visited'), '2026-12-02T10:00:00Z')).toEqual([]);
  });

  it('reports a journey paused, archived, or outside its window, with the date', async () => {
    await registerJourney(db, {
      id: 'on-hold',
      name: 'On hold',
      status: 'paused',
      trigger: { type: 'event', event: 'Held' },
      ...EXIT,
    });
    await registerJourney(db, {
      id: 'winter-sale',
      name: 'Winter sale',
      trigger: { type: 'event', event: 'Held' },
      settings: { startAt: '2026-12-01T00:00:00Z' },
      ...EXIT,
    });
    await registerJourney(db, {
      id: 'autumn-sale',
      name: 'Autumn sale',
      trigger: { type: 'event', event: 'Held' },
      settings: { endAt: '2026-11-20T00:00:00Z' },
      ...EXIT,
    });
    const skips = await skipsOf(track('u-held', 'Held'));
    expect(new Map(skips.map((s) => [s.journeyId, { reason: s.reason, detail: s.detail }]))).toEqual(
      new Map([
        ['on-hold', { reason: 'paused', detail: undefined }],
        ['winter-sale', { reason: 'notStarted', detail: { startAt: '2026-12-01T00:00:00Z' } }],
        ['autumn-sale', { reason: 'ended', detail: { endAt: '2026-11-20T00:00:00Z' } }],
      ]),
    );
  });

  it('reports nothing for an event no journey is triggered by', async () => {
    expect(await skipsOf(track('u-none', 'Page Viewed'))).toEqual([]);
  });
});
