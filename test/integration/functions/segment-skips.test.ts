import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { processRecords, type SqsRecord } from '#functions/segment-entry/records.ts';
import { startRun } from '#functions/segment-entry/run.ts';
import { runExpiry, runKey } from '#functions/segment-entry/run-record.ts';
import type { JourneyInput } from '#shared/journey/schema.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { fakeSegmentServices, segmentDepsOn } from '../../support/segment-deps.ts';
import { identify, ingestDeps, registerJourney } from './harness.ts';

/**
 * A segment run says whom it turned away and why: per reason, counted once
 * on its record and in its completion event, however often its work items
 * are delivered.
 */

const NOW = new Date('2026-11-30T09:00:07Z');
let db: LocalDynamo;
const services = fakeSegmentServices({ refuseRepeats: false, startDate: () => NOW });
const { queue } = services;

const journey = (id: string, overrides: Partial<JourneyInput> = {}): JourneyInput => ({
  id,
  name: id,
  trigger: {
    type: 'segment',
    schedule: 'rate(1 day)',
    segment: { path: `profile.traits.${id}`, eq: 'plus' },
    limit: { max: 1, per: 'P7D' },
  },
  audience: { path: 'profile.traits.country', ne: 'XX' },
  reentry: { mode: 'once' },
  start: 'done',
  steps: { done: { type: 'exit' } },
  ...overrides,
});

function deps() {
  return segmentDepsOn({ doc: db.doc, client: db.client, tables: db.tables, now: () => NOW, inFlight: 2 });
}

/** Delivers every queued message twice in a row (SQS delivers at least once), until the queue is empty. */
async function drainTwice() {
  const d = deps();
  const skipped: unknown[] = [];
  while (queue.length > 0) {
    const message = queue.shift();
    if (message === undefined) break;
    for (const delivery of [message, message]) {
      const result = await processRecords(d, [delivery]);
      expect(result.batchItemFailures).toEqual([]);
      skipped.push(...result.skipped);
    }
  }
  return skipped;
}

function completions(journeyId: string): Record<string, unknown>[] {
  return services.bus
    .commandCalls(PutEventsCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .filter((e) => e.DetailType === 'Segment Run Completed')
    .map((e) => JSON.parse(e.Detail ?? '{}'))
    .filter((detail) => detail.journeyId === journeyId);
}

/** The journey's count of entries skipped for `reason`, in its stats. */
async function skippedInStats(journeyId: string, reason: string): Promise<number> {
  const rows = await new StatsRepository(db.doc, db.tables.stats).funnel(journeyId);
  return rows
    .filter((r) => r.metric === 'entrySkipped' && r.reason === reason)
    .reduce((n, r) => n + r.count, 0);
}

async function runRecord(journeyId: string, runId: string) {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.tables.stats, Key: runKey({ journeyId, runId }), ConsistentRead: true }),
  );
  return out.Item;
}

/** Fails the stats table's UpdateItem this returns true for (as if the attempt stopped there). */
let failStats: (expression: string) => boolean = () => false;
/** The segment of the too-large journeys: h-1. */
const huge = { path: 'profile.traits.huge', eq: 'plus' };

beforeAll(async () => {
  db = await startDynalite('segskips');
  db.doc.middlewareStack.add(
    (next, ctx) => async (args) => {
      const input = args.input as { TableName?: unknown; UpdateExpression?: unknown };
      const stats = ctx.commandName === 'UpdateItemCommand' && input.TableName === db.tables.stats;
      if (stats && failStats(String(input.UpdateExpression)))
        throw Object.assign(new Error('died'), { name: 'Died' });
      return next(args);
    },
    { step: 'initialize', name: 'plannedFault' },
  );
  const { deps: ingest } = ingestDeps(db);
  for (const [userId, traits] of Object.entries({
    's-in': { turned: 'plus' },
    's-audience': { turned: 'plus', country: 'XX' },
    's-entered': { turned: 'plus' },
    's-limited': { turned: 'plus' },
    's-other': { turned: 'free' },
    'h-1': { huge: 'plus' },
    'o-1': { old: 'plus' },
  }))
    await ingestEvent(ingest, identify(userId, traits));
});
afterAll(async () => db.stop());
beforeEach(() => {
  failStats = () => false;
  services.reset();
});

describe('segment run: entries skipped', () => {
  it('counts each customer turned away once, by reason, on the record and in the completion event', async () => {
    // arrange: one customer outside the audience, one entered before (re-entry once), one whose
    // entry this week fills the entry limit
    await registerJourney(db, journey('turned'));
    const enrollments = new EnrollmentItems(db.doc, db.tables.enrollments);
    await enrollments.claimEntry(
      's-entered',
      'turned',
      { at: '2026-10-01T09:00:00.000Z', enrollmentId: 'turned-earlier' },
      { mode: 'once' },
    );
    await enrollments.limits.claim(
      's-limited',
      'turned',
      { id: 'turned-this-week', at: '2026-11-28T09:00:00.000Z' },
      { max: 1, per: 'P7D', zone: 'UTC' },
    );
    const runId = '2026-11-30T09:00:00.000Z';
    // act
    await startRun(deps(), { journeyId: 'turned', scheduledTime: runId });
    const skipped = await drainTwice();
    // assert
    const expected = { audience: 1, reentry: 1, cooldown: 0, limit: 1, tooLarge: 0 };
    const [completed, ...again] = completions('turned');
    expect(again).toEqual([]);
    expect(completed).toMatchObject({ matched: 3, entered: 1, skipped: expected });
    expect(await runRecord('turned', runId)).toMatchObject({
      skippedAudience: 1,
      skippedReentry: 1,
      skippedLimit: 1,
    });
    // Each customer's skip with its reason, for timelines and logs (a redelivery reports it again).
    expect(new Set(skipped.map((s) => JSON.stringify(s)))).toEqual(
      new Set(
        [
          { userId: 's-audience', journeyId: 'turned', version: '1', reason: 'audience' },
          { userId: 's-entered', journeyId: 'turned', version: '1', reason: 'reentry' },
          {
            userId: 's-limited',
            journeyId: 'turned',
            version: '1',
            reason: 'limit',
            detail: { max: 1, per: 'P7D' },
          },
        ].map((s) => JSON.stringify(s)),
      ),
    );
  });

  /** A registry entry with more splits than a deploy allows, standing for any input over the limit. */
  async function tooLargeJourney(id: string): Promise<void> {
    const trigger = { type: 'segment', schedule: 'rate(1 day)', segment: huge } as const;
    await registerJourney(db, journey(id, { trigger }));
    const registry = new RegistryRepository(db.doc, db.tables.journeys);
    const entry = await registry.get(id);
    if (entry === undefined) throw new Error('no registry entry');
    const variants = [{ name: 'a', weight: 1, holdout: false }];
    const splits = Object.fromEntries(
      Array.from({ length: 2_500 }, (_, i) => [`split-${String(i).padStart(56, '0')}`, variants]),
    );
    await registry.putDeployed({ ...entry, version: '2', splits }, entry);
  }

  it('counts an entry whose execution input is too large once, on the run and in the journey', async () => {
    // arrange
    await tooLargeJourney('huge');
    const runId = '2026-11-30T10:00:00.000Z';
    // act
    await startRun(deps(), { journeyId: 'huge', scheduledTime: runId });
    await drainTwice();
    // assert
    expect(completions('huge')).toEqual([
      expect.objectContaining({
        entered: 0,
        skipped: { audience: 0, reentry: 0, cooldown: 0, limit: 0, tooLarge: 1 },
      }),
    ]);
    expect(await skippedInStats('huge', 'tooLarge')).toBe(1);
  });

  it('counts a too-large entry once when the attempt that marked its item failed before counting it', async () => {
    // arrange: the enroll item's first attempt fails at the journey's count
    await tooLargeJourney('huge-retried');
    let failed = false;
    failStats = (expression) => {
      if (failed || !expression.includes('SET #g = :g')) return false;
      failed = true;
      return true;
    };
    const runId = '2026-11-30T10:00:00.000Z';
    // act
    await startRun(deps(), { journeyId: 'huge-retried', scheduledTime: runId });
    const d = deps();
    while (queue.length > 0) {
      const message = queue.shift();
      if (message === undefined) break;
      if ((await processRecords(d, [message])).batchItemFailures.length > 0) queue.push(message);
    }
    // assert
    expect(failed).toBe(true);
    expect(completions('huge-retried')).toEqual([
      expect.objectContaining({ skipped: { audience: 0, reentry: 0, cooldown: 0, limit: 0, tooLarge: 1 } }),
    ]);
    expect(await skippedInStats('huge-retried', 'tooLarge')).toBe(1);
  });

  it('completes a run whose item marks an earlier release wrote, without skip counts', async () => {
    // arrange: the run's page is counted; its one enroll item was done by the earlier release
    await registerJourney(db, journey('old'));
    const runId = '2026-11-30T11:00:00.000Z';
    await startRun(deps(), { journeyId: 'old', scheduledTime: runId });
    const d = deps();
    const enrollItems: SqsRecord[] = [];
    while (queue.length > 0) {
      const message = queue.shift();
      if (message === undefined) break;
      if (JSON.parse(message.body).kind === 'enroll') enrollItems.push(message);
      else await processRecords(d, [message]);
    }
    const [item] = enrollItems;
    if (item === undefined) throw new Error('no enroll item');
    const { segment, number } = JSON.parse(item.body);
    const run = { journeyId: 'old', runId };
    const mark = `${runId}#item#${segment}#${String(number).padStart(12, '0')}`;
    await db.doc.send(
      new PutCommand({
        TableName: db.tables.stats,
        Item: { pk: runKey(run).pk, sk: mark, entered: 1, expiresAt: runExpiry(run) },
      }),
    );
    // act: the item delivered again
    await processRecords(d, [item]);
    // assert
    expect(completions('old')).toEqual([
      expect.objectContaining({
        entered: 1,
        skipped: { audience: 0, reentry: 0, cooldown: 0, limit: 0, tooLarge: 0 },
      }),
    ]);
  });
});
