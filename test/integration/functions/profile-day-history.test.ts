import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLD_AFTER } from '#functions/_lib/profile-day-history.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { ProfileChanges } from '#shared/profile/changes.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * Daily counts of an event a journey counts over a window, for a customer
 * active for months: older days are folded into one attribute, late events
 * land on folded days, and every day's count reads back as it happened.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('day-history');
});
afterAll(async () => db.stop());

const DAY_MS = 86_400_000;
const START = Date.parse('2026-01-01T10:00:00Z');

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function changes(userId: string, event: string, at: number, n: number): ProfileChanges {
  const timestamp = new Date(at).toISOString();
  return {
    userId,
    messageId: `${userId}-${n}`,
    timestamp,
    traits: {},
    pushTokens: [],
    consent: [],
    topics: [],
    track: { event, day: timestamp.slice(0, 10) },
    droppedTraits: [],
  };
}

describe('daily counts over months', () => {
  it('fold into one attribute per name and read back as a brute-force count', async () => {
    // arrange: 100 days, 0–3 events a day of two counted names, one in ten arriving up to 20 days late
    const profiles = new ProfilesRepository(db.doc, db.tables.profiles);
    const random = prng(7);
    const truth = new Map<string, number>();
    let n = 0;
    let now = START;
    for (let day = 0; day < 100; day++) {
      now = START + day * DAY_MS;
      const events = Math.floor(random() * 4);
      for (let e = 0; e < events; e++) {
        const name = random() < 0.6 ? 'Viewed' : 'Bought';
        const late = random() < 0.1 ? Math.floor(random() * 20) : 0;
        const at = now - late * DAY_MS;
        // act
        await profiles.recordEvent(changes('u-days', name, at, n++), new Date(now));
        const key = `${name} ${new Date(at).toISOString().slice(0, 10)}`;
        truth.set(key, (truth.get(key) ?? 0) + 1);
      }
    }
    // assert: every day inside the kept window reads back exactly
    const state = await profiles.get('u-days');
    const today = Math.floor(now / DAY_MS);
    for (const name of ['Viewed', 'Bought']) {
      const days = state.profile.events[name]?.days ?? {};
      const expected: Record<string, number> = {};
      for (const [key, count] of truth) {
        const [event, isoDay] = key.split(' ');
        if (event !== name || isoDay === undefined) continue;
        if (today - Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / DAY_MS) <= 91) expected[isoDay] = count;
      }
      const kept = Object.fromEntries(
        Object.entries(days).filter(([d]) => today - Math.floor(Date.parse(`${d}T00:00:00Z`) / DAY_MS) <= 91),
      );
      expect(kept).toEqual(expected);
    }
    // assert: the item holds a few loose days per name, and the rest folded
    const item = (
      await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: 'u-days' } }))
    ).Item;
    const keys = Object.keys(item ?? {});
    for (const name of ['Viewed', 'Bought']) {
      expect(keys).toContain(`dh:${name}`);
      // Late events for folded days add loose buckets until the next fold.
      expect(keys.filter((k) => k.startsWith(`d:${name}:`)).length).toBeLessThanOrEqual(FOLD_AFTER + 20);
    }
  }, 120_000);
});
