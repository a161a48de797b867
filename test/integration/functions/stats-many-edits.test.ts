import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { resultsExpireAt, StatsRetention } from '#functions/_lib/stats-retention.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * A journey edited more than 20 times in a short while: the retirement note
 * keeps the last 20, yet the versions retired before them still have
 * enrollments running. Their late counts (a send of a step they had not
 * reached before, a conversion) land in their own version, with the expiry
 * their results had, and are never dropped as if their results had expired.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('stats-many-edits');
});
afterAll(async () => db.stop());

const DAY = 86_400_000;
const FIRST_EDIT = Date.parse('2026-11-01T10:00:00Z');

describe('late counts of a version retired before the last 20 retirements', () => {
  it('are counted in their version, with an expiry no later than those retired after it', async () => {
    // arrange: versions 1..25 each took entries, then 24 edits a day apart retired 1..24
    let now = new Date(FIRST_EDIT);
    const stats = new StatsRepository(db.doc, db.tables.stats, { now: () => now });
    const retention = new StatsRetention(db.doc, db.tables.stats);
    for (let v = 1; v <= 25; v++)
      await stats.recordEnrollment({ journeyId: 'busy', version: String(v), variants: [] });
    for (let v = 2; v <= 25; v++) {
      now = new Date(FIRST_EDIT + (v - 1) * DAY);
      await retention.retire('busy', { keep: String(v), at: now });
    }
    expect((await retention.retired('busy')).map((r) => r.version)).not.toContain('2');
    // act: a week later, version 2's enrollments send their first email, and one converts
    now = new Date(FIRST_EDIT + 31 * DAY);
    await stats.recordSend({
      journeyId: 'busy',
      version: '2',
      stepId: 'reminder',
      channel: 'email',
      status: 'sent',
      at: now,
    });
    await stats.recordConversion({ journeyId: 'busy', version: '2', at: now, lastStep: 'reminder' });
    // assert: counted under version 2
    const counters = await stats.funnel('busy');
    const of = (metric: string, stepId?: string) =>
      counters.find((c) => c.version === '2' && c.metric === metric && c.stepId === stepId)?.count;
    expect(of('sent', 'reminder')).toBe(1);
    expect(of('converted', 'reminder')).toBe(1);
    // and the new item expires, no later than the results of the versions retired after version 2
    // (version k was retired on day k; the note keeps versions 5 to 24)
    const out = await db.doc.send(new ScanCommand({ TableName: db.tables.stats }));
    const item = (out.Items ?? []).find((i) => String(i.sk).startsWith('=s#2#reminder'));
    const oldestNoted = resultsExpireAt(new Date(FIRST_EDIT + 5 * DAY));
    expect(item?.expiresAt).toBeGreaterThan(Math.floor(now.getTime() / 1000));
    expect(item?.expiresAt).toBeLessThanOrEqual(oldestNoted);
  });
});
