import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packSeen } from '#functions/_lib/profile-counter.ts';
import { GUARD_TURN } from '#functions/_lib/redelivery-guard.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { hex128 } from '#shared/hash.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps, track } from './harness.ts';

/**
 * A redelivered event is recognised exactly while fewer than GUARD_TURN
 * later events of the customer have arrived: its counters, all-time and
 * daily, count it once. The guard stays bounded at any rate of events.
 */

const NOW = new Date('2026-11-24T10:00:00Z');
const DAY = '2026-11-24';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('redelivery-guard');
});
afterAll(async () => db.stop());

async function itemOf(userId: string) {
  const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
  return out.Item ?? {};
}

/** The profile changes of one "Page Viewed" event (what ingest writes). */
const viewed = (userId: string, i: number) => ({
  userId,
  messageId: `${userId}-${i}`,
  timestamp: NOW.toISOString(),
  traits: {},
  pushTokens: [],
  consent: [],
  topics: [],
  droppedTraits: [],
  track: { event: 'Page Viewed', day: DAY },
});

const listLength = (value: unknown) => (Array.isArray(value) ? value.length : 0);

describe('the redelivery guard', () => {
  it(`recognises every redelivery of the last ${GUARD_TURN} events: counters and day counts count it once`, async () => {
    // arrange: 40 events of one customer
    const { profiles } = ingestDeps(db, () => NOW).deps;
    const events = Array.from({ length: GUARD_TURN + 8 }, (_, i) => viewed('u-guard', i));
    for (const event of events) expect((await profiles.recordEvent(event, NOW)).duplicate).toBe(false);
    // act: each of the last GUARD_TURN delivered again (the oldest of them has 31 later events)
    const again = [];
    for (const event of events.slice(-GUARD_TURN))
      again.push((await profiles.recordEvent(event, NOW)).duplicate);
    // assert: all recognised; counted once
    expect(again).toEqual(Array.from({ length: GUARD_TURN }, () => true));
    const counter = (await profiles.get('u-guard')).profile.events['Page Viewed'];
    expect(counter?.count).toBe(GUARD_TURN + 8);
    expect(counter?.days).toEqual({ [DAY]: GUARD_TURN + 8 });
    // assert: the guard holds between GUARD_TURN and 2 × GUARD_TURN − 1 digests
    const item = await itemOf('u-guard');
    const held = listLength(item.rm) + listLength(item.rmp);
    expect(held).toBeGreaterThanOrEqual(GUARD_TURN);
    expect(held).toBeLessThan(2 * GUARD_TURN);
  });

  it('takes one extra write every GUARD_TURN events, and none on the other events', async () => {
    // arrange
    const { deps } = ingestDeps(db, () => NOW);
    const { profiles } = deps;
    const changes = (i: number) => ({
      userId: 'u-writes',
      messageId: `w-${i}`,
      timestamp: NOW.toISOString(),
      traits: {},
      pushTokens: [],
      consent: [],
      topics: [],
      droppedTraits: [],
      track: { event: 'Page Viewed' },
    });
    // act
    const writes = [];
    for (let i = 0; i < 3 * GUARD_TURN; i++)
      writes.push((await profiles.recordEvent(changes(i), NOW)).writes);
    // assert: the write of every GUARD_TURN-th event turns the guard
    expect(writes.filter((w) => w === 2)).toHaveLength(3);
    expect(writes.filter((w) => w === 1)).toHaveLength(3 * GUARD_TURN - 3);
  });

  it('stays bounded, and exact, when many events of one customer arrive at once', async () => {
    // arrange
    const { profiles } = ingestDeps(db, () => NOW).deps;
    const events = Array.from({ length: 70 }, (_, i) => viewed('u-burst-guard', i));
    // act: all at once, then the last 20 again, at once
    await Promise.all(events.map((e) => profiles.recordEvent(e, NOW)));
    const again = await Promise.all(events.slice(-20).map((e) => profiles.recordEvent(e, NOW)));
    // assert
    const item = await itemOf('u-burst-guard');
    expect(listLength(item.rm)).toBeLessThanOrEqual(2 * GUARD_TURN);
    expect(listLength(item.rmp)).toBeLessThanOrEqual(2 * GUARD_TURN);
    expect(again.map((r) => r.duplicate)).toEqual(Array.from({ length: 20 }, () => true));
    expect((await profiles.get('u-burst-guard')).profile.events['Page Viewed']?.count).toBe(70);
  });

  it('recognises a redelivery of an event recorded in the 32 slots of the previous layout', async () => {
    // arrange: a layout-4 item whose slots hold a seen message's digest
    const { deps } = ingestDeps(db, () => NOW);
    const seen = track('u-slots', 'Page Viewed');
    const hex = hex128(seen.messageId);
    const slot = `h${(Number.parseInt(hex.slice(0, 8), 16) % 32).toString(32)}`;
    await db.doc.send(
      new PutCommand({
        TableName: db.tables.profiles,
        Item: {
          userId: 'u-slots',
          fv: 4,
          'c:Page Viewed': packSeen(1, Date.parse(seen.timestamp)),
          'l:Page Viewed': Date.parse(seen.timestamp),
          [slot]: Uint8Array.from(Buffer.from(hex.slice(0, 16), 'hex')),
          // another slot, as layout 4 wrote them
          [slot === 'h0' ? 'h1' : 'h0']: Uint8Array.from(Buffer.from('0011223344556677', 'hex')),
        },
      }),
    );
    // act: the redelivery, then a new event
    const redelivered = await ingestEvent(deps, seen);
    const next = await ingestEvent(deps, track('u-slots', 'Page Viewed'));
    // assert: the slots moved into the guard; counted once
    expect([redelivered.status, next.status]).toEqual(['duplicate', 'recorded']);
    const item = await itemOf('u-slots');
    expect(item.fv).toBe(5);
    expect(Object.keys(item).filter((k) => /^h[0-9a-v]$/.test(k))).toEqual([]);
    expect(listLength(item.rmp)).toBe(2);
    expect((await deps.profiles.get('u-slots')).profile.events['Page Viewed']?.count).toBe(2);
  });
});
