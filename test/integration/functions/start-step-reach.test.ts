import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';
import { buildReport } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { AB_SPLIT_THEN_WAIT } from '../../support/journey-steps.ts';
import { ingestDeps, registerJourney, track } from './harness.ts';

/**
 * An edit that puts a new step first: each step a version began at is
 * reached by that version's entries, not by every version's. Entries are
 * counted by ingest, read back as the report reads them.
 */

const V1: JourneyInput = {
  id: 'new-start',
  name: 'New start',
  trigger: { type: 'event', event: 'Signed Up' },
  reentry: { mode: 'always' },
  start: 'pause',
  steps: {
    pause: { type: 'wait', for: 'PT1H', next: 'done' },
    done: { type: 'exit' },
  },
};

/** The edit: a split before the wait, whose variants both go on to it. */
const V2: JourneyInput = {
  ...V1,
  ...AB_SPLIT_THEN_WAIT,
};

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('start-step-reach');
});
afterAll(async () => db.stop());

async function enter(count: number, prefix: string): Promise<void> {
  const { deps } = ingestDeps(db);
  for (let i = 0; i < count; i++) await ingestEvent(deps, track(`${prefix}-${i}`, 'Signed Up'));
}

describe('the report after an edit replaced the start step', () => {
  it('gives each start step the entries of its own versions', async () => {
    // arrange: 6 entries on version 1, then 3 on version 2
    await registerJourney(db, V1, '1');
    await enter(6, 'v1');
    const previous = await new RegistryRepository(db.doc, db.tables.journeys).get(V1.id);
    await registerJourney(db, V2, '2', previous);
    await enter(3, 'v2');

    // act
    const { counters, days } = await new StatsRepository(db.doc, db.tables.stats).read(V1.id);
    const report = buildReport(Journey.parse(V2), counters, days);

    // assert
    const step = (id: string) => report.steps.find((s) => s.stepId === id);
    expect(report.enrolled).toBe(9);
    expect(step('ab')).toMatchObject({ reached: 3, entered: 3, counts: { assigned: 3 } });
    // version 1's entrants began at the wait; version 2's reached it through the split, uncounted:
    // its entries are given, not as its reach
    expect(step('pause')?.entered).toBe(6);
    expect(step('pause')?.reached).toBeUndefined();
    expect(report.enteredAtUnknownStep).toBe(0);
    // the split's share is its draw; from the wait, whose reach is only part of who passed it, none
    const fromPause = report.edges.find((e) => e.from === 'pause');
    expect(fromPause?.share).toBeUndefined();
    const variants = report.splits[0]?.variants ?? [];
    expect(variants.reduce((n, v) => n + v.assigned, 0)).toBe(3);
    expect(reportText(report)).toMatch(/ab\s+split\s+reached 3; assigned 3/);
    expect(reportText(report)).toMatch(/pause\s+wait\s+entered here 6/);
  });
});
