import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { enrollmentKeys } from '#shared/tables.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps, registerJourney, track } from './harness.ts';

let db: LocalDynamo;
const EXIT = { start: 'done', steps: { done: { type: 'exit' } } } as const;

beforeAll(async () => {
  db = await startDynalite('entry-limits');
  // Parallel enrollments per cart, but at most one entry per customer per day.
  await registerJourney(db, {
    id: 'limited',
    name: 'Limited',
    trigger: {
      type: 'event',
      event: 'Cart Updated',
      correlationKey: 'event.properties.cartId',
      limit: { max: 1, per: 'P1D' },
    },
    reentry: 'always',
    ...EXIT,
  });
  await registerJourney(db, {
    id: 'daily-rome',
    name: 'Once a day in Rome',
    trigger: { type: 'event', event: 'Daily Rome', limit: { max: 1, per: 'P1D' } },
    reentry: 'always',
    settings: { defaultTimezone: 'Europe/Rome' },
    ...EXIT,
  });
  await registerJourney(db, {
    id: 'fresh-only',
    name: 'Fresh only',
    trigger: { type: 'event', event: 'Order Shipped', maxAge: 'PT1H' },
    reentry: 'always',
    ...EXIT,
  });
  await registerJourney(db, {
    id: 'twice-once',
    name: 'Twice, once each',
    trigger: { type: 'event', event: 'Ticket Opened', limit: { max: 2, per: 'PT1H' } },
    reentry: 'once',
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
});
afterAll(async () => db.stop());

const at = (iso: string) => () => new Date(iso);
const enrolled = (r: Awaited<ReturnType<typeof ingestEvent>>) =>
  r.status === 'rejected' ? -1 : r.enrolled.length;

async function skipped(journeyId: string, reason: string): Promise<number> {
  const { deps } = ingestDeps(db);
  const counters = await deps.stats.funnel(journeyId);
  return counters
    .filter((c) => c.metric === 'entrySkipped' && c.reason === reason)
    .reduce((n, c) => n + c.count, 0);
}

describe('trigger.limit', () => {
  it('counts a day on the journey calendar too: a daily 09:00 run in Rome enters across the spring change', async () => {
    // arrange: 09:00 in Rome on the Saturday (UTC+1) and on the Sunday (UTC+2), 23 hours apart
    const times = ['2026-03-28T08:00:00Z', '2026-03-29T06:59:59Z', '2026-03-29T07:00:00Z'];
    // act
    const counts: number[] = [];
    for (const time of times) {
      const { deps } = ingestDeps(db, at(time));
      counts.push(enrolled(await ingestEvent(deps, track('u-rome', 'Daily Rome', {}, time))));
    }
    // assert
    expect(counts).toEqual([1, 0, 1]);
  });

  it('lets one entry per customer per day through, across correlation keys, and counts the rest as skipped', async () => {
    // arrange
    const morning = ingestDeps(db, at('2026-11-24T10:00:00Z'));
    const evening = ingestDeps(db, at('2026-11-24T20:00:00Z'));
    const nextDay = ingestDeps(db, at('2026-11-25T10:00:01Z'));
    const first = track('u-lim', 'Cart Updated', { cartId: 'c1' }, '2026-11-24T09:59:59Z');
    // Other tests' customers are kept out of the journey too: this test's skips are what it adds.
    const before = await skipped('limited', 'limit');
    // act
    const results = [
      await ingestEvent(morning.deps, first),
      await ingestEvent(morning.deps, first), // a redelivery: same enrollment, not a second entry
      await ingestEvent(
        evening.deps,
        track('u-lim', 'Cart Updated', { cartId: 'c2' }, '2026-11-24T19:59:00Z'),
      ),
      await ingestEvent(
        nextDay.deps,
        track('u-lim', 'Cart Updated', { cartId: 'c3' }, '2026-11-25T10:00:00Z'),
      ),
      await ingestEvent(morning.deps, track('u-other', 'Cart Updated', { cartId: 'c1' })),
    ];
    // assert
    // the redelivery is started again under the same name (Step Functions keeps one execution)
    expect(results.map(enrolled)).toEqual([1, 1, 0, 1, 1]);
    expect((await skipped('limited', 'limit')) - before).toBe(1);
  });

  it('keeps one bounded record per customer and journey, expiring a window after its last entry', async () => {
    // arrange
    // act: 30 entries over 30 days, one a day
    for (let day = 1; day <= 30; day++) {
      const now = new Date(Date.UTC(2026, 11, day, 9, day));
      const later = ingestDeps(db, () => now);
      await ingestEvent(
        later.deps,
        track('u-many', 'Cart Updated', { cartId: `d${day}` }, now.toISOString()),
      );
    }
    // assert
    const item = await db.doc.send(
      new GetCommand({
        TableName: db.tables.enrollments,
        Key: { userId: 'u-many', sk: enrollmentKeys.entryLimit('limited') },
      }),
    );
    expect(item.Item?.entries).toHaveLength(1);
    expect(item.Item?.expiresAt).toBe(Date.UTC(2026, 11, 31, 9, 30) / 1000);
  });

  it('gives the place back when the re-entry rule refuses the entry', async () => {
    // arrange: re-entry "once" refuses the second trigger; the limit of 2 must still have room for another journey entry
    const { deps } = ingestDeps(db, at('2026-11-24T10:00:00Z'));
    const before = await skipped('twice-once', 'limit');
    // act
    const a = await ingestEvent(deps, track('u-once', 'Ticket Opened', {}, '2026-11-24T09:59:00Z'));
    const b = await ingestEvent(deps, track('u-once', 'Ticket Opened', {}, '2026-11-24T09:59:30Z'));
    // assert
    expect([a, b].map(enrolled)).toEqual([1, 0]);
    const item = await db.doc.send(
      new GetCommand({
        TableName: db.tables.enrollments,
        Key: { userId: 'u-once', sk: enrollmentKeys.entryLimit('twice-once') },
      }),
    );
    expect(item.Item?.entries).toHaveLength(1);
    expect((await skipped('twice-once', 'limit')) - before).toBe(0);
  });

  it('lets exactly max entries through when events of one customer arrive together', async () => {
    // arrange
    const { deps } = ingestDeps(db, at('2026-11-24T10:00:00Z'));
    const events = Array.from({ length: 8 }, (_, i) =>
      track('u-burst', 'Cart Updated', { cartId: `b${i}` }, '2026-11-24T09:59:00Z'),
    );
    // act
    const results = await Promise.all(events.map((e) => ingestEvent(deps, e)));
    // assert
    expect(results.map(enrolled).reduce((n, x) => n + x, 0)).toBe(1);
  });
});

describe('entries a limit refused', () => {
  it('a refused entry stays refused when its trigger comes again after the window has room, its skip counted once', async () => {
    // arrange: one entry a day; the day's place taken, a second entry refused, its skip counted
    const { deps } = ingestDeps(db);
    const { limits } = deps.enrollments;
    const limit = { max: 1, per: 'P1D', zone: 'UTC' };
    await limits.claim('u-sticky', 'limited', { id: 'first', at: '2026-11-24T09:00:00Z' }, limit);
    const refused = await limits.claim(
      'u-sticky',
      'limited',
      { id: 'second', at: '2026-11-24T10:00:00Z' },
      limit,
    );
    await limits.settleRefusal('u-sticky', 'limited', 'second');
    // act: the same entry a day later (its trigger redelivered), and a new one then
    const again = await limits.claim(
      'u-sticky',
      'limited',
      { id: 'second', at: '2026-11-25T10:00:00Z' },
      limit,
    );
    const next = await limits.claim(
      'u-sticky',
      'limited',
      { id: 'third', at: '2026-11-25T10:00:00Z' },
      limit,
    );
    // assert
    expect(refused).toEqual({ refused: { pendingAt: expect.any(Number), retry: false } });
    expect(again).toEqual({ refused: 'counted' });
    expect(next).toBe('entered');
  });

  it('keeps at most 64 refusals on a record, the oldest going first', async () => {
    // arrange: the place taken, then 66 entries refused
    const { deps } = ingestDeps(db);
    const { limits } = deps.enrollments;
    const limit = { max: 1, per: 'P7D', zone: 'UTC' };
    const at = '2026-11-24T09:00:00Z';
    await limits.claim('u-refused', 'limited', { id: 'taken', at }, limit);
    // The business clock a second further at each reading: each refusal is marked later than the one before.
    let tick = Date.parse(at);
    setClock(() => {
      tick += 1000;
      return new Date(tick);
    });
    // act
    try {
      for (let i = 0; i < 66; i++) {
        await limits.claim('u-refused', 'limited', { id: `r${i}`, at }, limit);
        await limits.settleRefusal('u-refused', 'limited', `r${i}`);
      }
    } finally {
      resetClock();
    }
    // assert
    const stored = await db.doc.send(
      new GetCommand({
        TableName: db.tables.enrollments,
        Key: { userId: 'u-refused', sk: enrollmentKeys.entryLimit('limited') },
      }),
    );
    expect(Object.keys(stored.Item ?? {}).filter((name) => name.startsWith('rf'))).toHaveLength(64);
    expect(await limits.claim('u-refused', 'limited', { id: 'r65', at }, limit)).toEqual({
      refused: 'counted',
    });
  });
});

describe('trigger.maxAge', () => {
  it('does not enroll an event older than maxAge at ingest and counts it as skipped (tooOld), once', async () => {
    // arrange
    const { deps } = ingestDeps(db, at('2026-11-24T10:00:00Z'));
    const late = track('u-late', 'Order Shipped', {}, '2026-11-24T08:59:59Z');
    const before = await skipped('fresh-only', 'tooOld');
    // act
    const fresh = await ingestEvent(deps, track('u-late', 'Order Shipped', {}, '2026-11-24T09:00:00Z'));
    const old = await ingestEvent(deps, late);
    await ingestEvent(deps, late);
    // assert
    expect([fresh, old].map(enrolled)).toEqual([1, 0]);
    expect((await skipped('fresh-only', 'tooOld')) - before).toBe(1);
  });
});

describe('context values at entry', () => {
  it('enrolls a trigger whose value fits the declared type and length, and counts the others as skipped (context)', async () => {
    // arrange
    const { deps } = ingestDeps(db, at('2026-11-24T10:00:00Z'));
    const before = { context: await skipped('typed', 'context'), missing: await skipped('typed', 'missing') };
    // act
    const results = [
      await ingestEvent(deps, track('u-typed', 'Booking Made', { bookingId: 'b-1' })),
      await ingestEvent(deps, track('u-typed', 'Booking Made', { bookingId: 42 })),
      await ingestEvent(deps, track('u-typed', 'Booking Made', { bookingId: 'much-too-long' })),
      await ingestEvent(deps, track('u-typed', 'Booking Made', {})),
    ];
    // assert: a missing value does not enroll either, and is counted with the others, as the README says
    expect(results.map(enrolled)).toEqual([1, 0, 0, 0]);
    expect((await skipped('typed', 'context')) - before.context).toBe(3);
    expect((await skipped('typed', 'missing')) - before.missing).toBe(0);
  });
});
