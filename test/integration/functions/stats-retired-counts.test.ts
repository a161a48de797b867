import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { resultsExpireAt, StatsRetention } from '#functions/_lib/stats-retention.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * A count that arrives for a version after it was retired (a late send,
 * feedback, an ending) never leaves a counter item that lives forever: while
 * the version's results are kept it carries their expiry, and once they
 * expired it is dropped (with a logged reason) rather than start them again.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('stats-retired');
});
afterAll(async () => db.stop());

const RETIRED_AT = new Date('2026-11-24T10:00:00Z');

/** Every item of a journey's version (and step) counter sets, with its expiry. */
async function versionItems(journeyId: string, version: string) {
  const out = await db.doc.send(new ScanCommand({ TableName: db.tables.stats }));
  return (out.Items ?? []).filter(
    (item) =>
      String(item.pk).startsWith(`${journeyId}#`) &&
      (String(item.sk).startsWith(`=v#${version}#`) || String(item.sk).startsWith(`=s#${version}#`)),
  );
}

const send = (journeyId: string, version: string) => ({
  journeyId,
  version,
  stepId: 'welcome',
  channel: 'email' as const,
  status: 'sent' as const,
  at: RETIRED_AT,
});

describe('a count for a retired version', () => {
  it('whose results are still kept carries their expiry', async () => {
    // arrange: version 1 retired, its results not yet expired; the step was never counted before
    const stats = new StatsRepository(db.doc, db.tables.stats, { now: () => RETIRED_AT });
    await stats.recordEnrollment({ journeyId: 'kept', version: '1', variants: [] });
    await new StatsRetention(db.doc, db.tables.stats).retire('kept', { keep: '2', at: RETIRED_AT });
    // act: a late send of version 1
    await stats.recordSend(send('kept', '1'));
    // assert
    const items = await versionItems('kept', '1');
    expect(items.length).toBeGreaterThan(1);
    expect(new Set(items.map((item) => item.expiresAt))).toEqual(new Set([resultsExpireAt(RETIRED_AT)]));
  });

  it('whose results expired (the TTL removed its items) is dropped, never written without expiry', async () => {
    // arrange: version 1 retired early in 2024, its results expired and the TTL removed its items
    const stats = new StatsRepository(db.doc, db.tables.stats, { now: () => RETIRED_AT });
    await stats.recordEnrollment({ journeyId: 'gone', version: '1', variants: [] });
    await new StatsRetention(db.doc, db.tables.stats).retire('gone', {
      keep: '2',
      at: new Date('2024-01-01T00:00:00Z'),
    });
    for (const item of await versionItems('gone', '1'))
      await db.doc.send(new DeleteCommand({ TableName: db.tables.stats, Key: { pk: item.pk, sk: item.sk } }));
    const late = stats;
    // act
    await late.recordSend(send('gone', '1'));
    // assert
    expect(await versionItems('gone', '1')).toEqual([]);
  });

  it('of a live version (never retired) creates its items without expiry', async () => {
    const stats = new StatsRepository(db.doc, db.tables.stats, { now: () => RETIRED_AT });
    await stats.recordSend(send('live', '3'));
    const items = await versionItems('live', '3');
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.expiresAt === undefined)).toBe(true);
  });
});
