import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps, registerJourney, track } from './harness.ts';

/**
 * Daily counts are kept for the events live journeys count over a window,
 * and for the versions whose enrollments may still run (an edited journey's
 * earlier versions, an archived journey): those enrollments evaluate their
 * own conditions. When nothing counts an event any more, its daily counts
 * leave the profile with the next compaction instead of staying for 91 days:
 * the names counted over the years never add up on a profile.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('uncounted-days');
});
afterAll(async () => db.stop());

/** The longest event name (200 bytes): its daily counts take about 2 KB. */
const EVENT = `Viewed ${'x'.repeat(193)}`;

async function dayKeys(userId: string, event = EVENT) {
  const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
  const item = out.Item ?? {};
  return {
    days: Object.keys(item).filter((key) => key.startsWith(`d:${event}:`) || key === `dh:${event}`),
    seen: item[`c:${event}`],
  };
}

/** A journey whose audience counts `event` over a window. */
function counting(id: string, event: string) {
  return {
    id,
    name: 'Counting',
    trigger: { type: 'event' as const, event: 'Never' },
    audience: { performed: event, atLeast: 1, within: 'P30D' },
    start: 'done',
    steps: { done: { type: 'exit' as const } },
  };
}

const at = (iso: string) => () => new Date(iso);

describe('daily counts of an event no journey counts any more', () => {
  it('are kept while an archived journey may still run, then removed by the next compaction; the all-time count stays', async () => {
    // arrange: a journey counting the event, archived; ten days of it within its enrollments' year
    await registerJourney(db, counting('counting', EVENT));
    await new RegistryRepository(db.doc, db.tables.journeys).archive('counting', '2026-11-24T09:00:00Z');
    const running = ingestDeps(db, at('2027-11-20T10:00:00Z')).deps;
    for (let day = 10; day < 20; day++)
      await ingestEvent(running, track('u-days', EVENT, {}, `2027-11-${day}T09:00:00Z`));
    expect((await dayKeys('u-days')).days.length).toBeGreaterThan(0);
    // act: a year and a day after the archiving (no enrollment of it runs), the customer does something else
    const ended = ingestDeps(db, at('2027-11-25T10:00:00Z')).deps;
    await ingestEvent(ended, track('u-days', 'App Opened', {}, '2027-11-25T09:00:00Z'));
    // assert
    const after = await dayKeys('u-days');
    expect(after.days).toEqual([]);
    expect(after.seen).toBeDefined();
  });

  it('are kept for the enrollments of an earlier version that counted it', async () => {
    // arrange: version 1 counts the event; version 2, live since, counts another
    const event = 'Store Visited';
    await registerJourney(db, counting('edited', event));
    const v1 = await new RegistryRepository(db.doc, db.tables.journeys).get('edited');
    await registerJourney(db, counting('edited', 'Other Thing'), '2', v1);
    // act
    await ingestEvent(ingestDeps(db).deps, track('u-edited', event));
    // assert: the customers still running on version 1 read the day
    expect((await dayKeys('u-edited', event)).days).toHaveLength(1);
  });
});

describe('the last occurrence of an event an earlier version waits for', () => {
  it('is kept for a step of that version that starts waiting just after it', async () => {
    // arrange: version 1 waits for the event; version 2, live since, does not
    const event = 'Survey Answered';
    const waiting = {
      id: 'survey-edited',
      name: 'Survey',
      trigger: { type: 'event' as const, event: 'Survey Sent' },
      start: 'wait',
      steps: {
        wait: { type: 'waitForEvent' as const, event, timeout: 'P1D', onEvent: 'done', onTimeout: 'done' },
        done: { type: 'exit' as const },
      },
    };
    await registerJourney(db, waiting);
    const v1 = await new RegistryRepository(db.doc, db.tables.journeys).get('survey-edited');
    await registerJourney(
      db,
      {
        ...waiting,
        steps: { wait: { type: 'wait' as const, for: 'P1D', next: 'done' }, done: { type: 'exit' as const } },
      },
      '2',
      v1,
    );
    const { deps } = ingestDeps(db);
    // act
    const answer = track('u-survey', event);
    await ingestEvent(deps, answer);
    // assert
    expect((await deps.profiles.get('u-survey')).lastEvents[event]?.messageId).toBe(answer.messageId);
  });
});
