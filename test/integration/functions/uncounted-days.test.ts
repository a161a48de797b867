import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps, registerJourney, track } from './harness.ts';

/**
 * Daily counts are kept for the events live journeys count over a window.
 * When no live journey counts an event any more, its daily counts leave the
 * profile with the next compaction instead of staying for 91 days: the names
 * counted over the years never add up on a profile.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('uncounted-days');
});
afterAll(async () => db.stop());

/** The longest event name (200 bytes): its daily counts take about 2 KB. */
const EVENT = `Viewed ${'x'.repeat(193)}`;

async function dayKeys() {
  const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: 'u-days' } }));
  const item = out.Item ?? {};
  return {
    days: Object.keys(item).filter((key) => key.startsWith(`d:${EVENT}:`) || key === `dh:${EVENT}`),
    seen: item[`c:${EVENT}`],
  };
}

describe('daily counts of an event no live journey counts any more', () => {
  it('are removed by the next compaction; the all-time count stays', async () => {
    // arrange: a journey counting the event, and ten days of it
    await registerJourney(db, {
      id: 'counting',
      name: 'Counting',
      trigger: { type: 'event', event: 'Never' },
      audience: { performed: EVENT, atLeast: 1, within: 'P30D' },
      start: 'done',
      steps: { done: { type: 'exit' } },
    });
    const { deps } = ingestDeps(db);
    for (let day = 10; day < 20; day++)
      await ingestEvent(deps, track('u-days', EVENT, {}, `2026-11-${day}T09:00:00Z`));
    expect((await dayKeys()).days.length).toBeGreaterThan(0);
    // act: the journey is archived, and the customer does something else
    await new RegistryRepository(db.doc, db.tables.journeys).archive('counting', '2026-11-24T09:00:00Z');
    await ingestEvent(deps, track('u-days', 'App Opened'));
    // assert
    const after = await dayKeys();
    expect(after.days).toEqual([]);
    expect(after.seen).toBeDefined();
  });
});
