import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { SegmentDeps } from '#functions/segment-entry/deps.ts';
import { OpenExecutions } from '#functions/segment-entry/headroom.ts';
import type { Pacing } from '#functions/segment-entry/pacing.ts';
import { processRecords } from '#functions/segment-entry/records.ts';
import { startRun } from '#functions/segment-entry/run.ts';
import { SegmentRuns } from '#functions/segment-entry/runs.ts';
import { enrollmentName } from '#shared/journey/enrollment.ts';
import type { JourneyInput } from '#shared/journey/schema.ts';
import { StartPace } from '#shared/segment/pace.ts';
import { SCAN_SEGMENTS } from '#shared/segment/work.ts';
import { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { caseId } from '../../support/case-ids.ts';
import { addTable, type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { AB_SPLIT_THEN_EXIT } from '../../support/journey-steps.ts';
import { mockedClient } from '../../support/mocked-clients.ts';
import { fakeSegmentServices } from '../../support/segment-deps.ts';
import { ACCOUNT_PREFIX, identify, ingestDeps, registerJourney } from './harness.ts';

const RUN = '2026-11-30T09:00:00.000Z';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/segment';

const renewal = (id: string, overrides: Partial<JourneyInput> = {}): JourneyInput => ({
  id,
  name: id,
  trigger: {
    type: 'segment',
    schedule: 'rate(1 day)',
    segment: { path: `profile.traits.${id}`, eq: 'plus' },
  },
  audience: { path: 'profile.traits.country', ne: 'XX' },
  reentry: { mode: 'once' },
  ...AB_SPLIT_THEN_EXIT,
  ...overrides,
});

let db: LocalDynamo;
/** The segment queue in memory, and Step Functions refusing a second execution with a name. */
const services = fakeSegmentServices({ refuseRepeats: true });
const { sqs, sfn, bus, queue, started } = services;

/** No waiting: pacing itself is proven by the load model (segment-load.test.ts). */
const unpaced = (): Pacing => ({
  pace: new StartPace(1_000_000, 1_000_000),
  nowMs: () => 0,
  sleep: async () => {},
  random: () => 0,
  inFlight: 4,
});

/** The repositories on dynalite, kept typed in full so tests can read what the worker wrote. */
function tables() {
  return {
    enrollments: new EnrollmentItems(db.doc, db.tables.enrollments),
    stats: new StatsRepository(db.doc, db.tables.stats),
  };
}

function deps(scanPageSize?: number): SegmentDeps {
  return {
    runs: new SegmentRuns(db.doc, db.tables.stats),
    events: mockedClient(EventBridgeClient),
    eventBus: 'customer-events',
    pacing: unpaced(),
    openExecutions: new OpenExecutions(
      new RegistryRepository(db.doc, db.tables.journeys),
      new StatsRepository(db.doc, db.tables.stats),
      () => 0,
    ),
    db: db.doc,
    tables: db.client,
    profilesTable: db.tables.profiles,
    ...tables(),
    registry: new RegistryRepository(db.doc, db.tables.journeys),
    sfn: mockedClient(SFNClient),
    sqs: mockedClient(SQSClient),
    queueUrl: QUEUE,
    now: () => new Date('2026-11-30T09:00:07Z'),
    ...(scanPageSize === undefined ? {} : { scanPageSize }),
  };
}

/** Delivers queued messages to the worker, five at a time, until the queue is empty. */
async function drain(d: SegmentDeps) {
  const totals = { scanned: 0, matched: 0, enrolled: 0, batches: 0 };
  while (queue.length > 0) {
    const batch = queue.splice(0, 5);
    const result = await processRecords(d, batch);
    expect(result.problems).toEqual([]);
    expect(result.batchItemFailures).toEqual([]);
    totals.scanned += result.totals.scanned;
    totals.matched += result.totals.matched;
    totals.enrolled += result.totals.enrolled;
    totals.batches += 1;
  }
  return totals;
}

function starts() {
  return sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
}

async function profiles(traits: Record<string, Record<string, unknown>>) {
  const { deps: ingest } = ingestDeps(db);
  for (const [userId, t] of Object.entries(traits)) await ingestEvent(ingest, identify(userId, t));
}

beforeAll(async () => {
  db = await startDynalite('segment');
  await registerJourney(db, renewal('plan'));
  await registerJourney(db, renewal('paused', { status: 'paused' }));
  await registerJourney(db, renewal('paged'));
  // The plan journey's segment again, for the test that runs it twice; the plan journey's own runs stay its first.
  await registerJourney(
    db,
    renewal('announced', {
      trigger: {
        type: 'segment',
        schedule: 'rate(1 day)',
        segment: { path: 'profile.traits.plan', eq: 'plus' },
      },
    }),
  );
  await profiles({
    'u-match-1': { plan: 'plus', country: 'IT' },
    'u-match-2': { plan: 'plus' },
    'u-audience': { plan: 'plus', country: 'XX' },
    'u-other': { plan: 'free' },
    'u-entered': { plan: 'plus' },
    ...Object.fromEntries(['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6'].map((u) => [u, { paged: 'plus' }])),
  });
  // An earlier entry: re-entry "once" keeps this customer out.
  await new EnrollmentItems(db.doc, db.tables.enrollments).claimEntry(
    'u-entered',
    'plan',
    { at: '2026-10-01T09:00:00.000Z', enrollmentId: 'plan-earlier' },
    { mode: 'once' },
  );
});
afterAll(async () => db.stop());
beforeEach(() => services.reset());

describe('segment entry: a scheduled run', () => {
  it('enrolls exactly the members who pass the audience and re-entry, with deterministic names', async () => {
    // arrange
    const d = deps();
    // act
    const run = await startRun(d, { journeyId: 'plan', scheduledTime: '2026-11-30T09:00:00Z' });
    const totals = await drain(d);
    // assert
    // A table of a few profiles is read in one Scan segment.
    expect(run).toEqual({ status: 'started', journeyId: 'plan', runId: RUN, segments: 1 });
    // u-entered is in the segment; the re-entry record keeps them out when enrolling.
    expect(totals).toMatchObject({ scanned: 11, matched: 3, enrolled: 2 });
    const name = (userId: string) =>
      enrollmentName({ journeyId: 'plan', customerId: userId, triggerId: `segment:${RUN}` });
    expect(
      starts()
        .map((s) => s.name)
        .sort(),
    ).toEqual([name('u-match-1'), name('u-match-2')].sort());
    for (const start of starts()) {
      expect(start.stateMachineArn).toBe(`${ACCOUNT_PREFIX}:stateMachine:journey-plan:1`);
      const input = EnrollmentInput.parse(JSON.parse(start.input ?? ''));
      expect(input).toMatchObject({
        journeyId: 'plan',
        journeyVersion: '1',
        enrolledAt: RUN,
        trigger: { type: 'segment', timestamp: RUN },
      });
      expect(Object.keys(input.buckets)).toEqual(['ab']);
    }
    const record = await d.enrollments.claimEntry(
      'u-match-1',
      'plan',
      { at: RUN, enrollmentId: 'later' },
      { mode: 'once' },
    );
    expect(record).toEqual({ status: 'refused' });
    expect(await tables().enrollments.enrollment('u-match-1', name('u-match-1'))).toMatchObject({
      enrolledAt: RUN,
    });
  });

  it('enrolls once when an enroll item is delivered again, and counts it once', async () => {
    // arrange: Step Functions answers a repeated start (same name and input) as the first, as AWS does
    const d = deps();
    const runId = '2026-12-02T09:00:00.000Z';
    const item = JSON.stringify({ kind: 'enroll', journeyId: 'plan', runId, userIds: ['u-repeat'] });
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
      started.add(input.name);
      return { executionArn: `x:${input.name}`, startDate: new Date() };
    });
    const before = await enrolledCount();
    // act
    const first = await processRecords(d, [{ messageId: 'a', body: item }]);
    const again = await processRecords(d, [{ messageId: 'a', body: item }]);
    // assert
    expect(first.totals.enrolled).toBe(1);
    expect(again.batchItemFailures).toEqual([]);
    expect(started.size).toBe(1);
    expect((await enrolledCount()) - before).toBe(1);
  });

  it('scans a run once when the schedule retries the invocation', async () => {
    // arrange
    const d = deps();
    const run = { journeyId: 'plan', scheduledTime: '2026-11-30T10:00:00Z' };
    // act
    const first = await startRun(d, run);
    const firstItems = queue.length;
    const again = await startRun(d, run);
    // assert
    expect(first.status).toBe('started');
    expect(again).toMatchObject({ status: 'skipped', reason: 'already started' });
    expect(queue.length).toBe(firstItems);
  });

  it('queues a run again when its first fan-out failed part-way', async () => {
    // arrange: the queue refuses the second batch of scan items once
    const d = deps();
    const run = { journeyId: 'plan', scheduledTime: '2026-11-30T11:00:00Z' };
    let batches = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => {
      batches += 1;
      if (batches === 1) throw new Error('queue unavailable');
      return services.enqueue(input);
    });
    // act
    await expect(startRun(d, run)).rejects.toThrow('queue unavailable');
    const retried = await startRun(d, run);
    // assert
    expect(retried.status).toBe('started');
    expect(queue.length).toBe(1);
  });

  it('queues a retried fan-out in the segments first claimed, whatever the table’s size reads then', async () => {
    // arrange: a run claimed in two segments whose fan-out did not go
    const runs = new SegmentRuns(db.doc, db.tables.stats);
    const run = { journeyId: 'plan', runId: '2026-11-30T15:00:00.000Z' };
    // act
    const first = await runs.claim(run, 2, new Date(RUN));
    const again = await runs.claim(run, 8, new Date(RUN));
    // assert
    expect([first, again]).toEqual([2, 2]);
  });

  it('takes the most Scan segments when the table’s size cannot be read, and says why', async () => {
    // arrange: DynamoDB refuses DescribeTable (a role without it, or throttled)
    const tables = Object.assign(new DynamoDBClient({ region: 'eu-west-1' }), {
      send: async () => {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      },
    });
    // act
    const run = await startRun(
      { ...deps(), tables },
      { journeyId: 'plan', scheduledTime: '2026-11-30T16:00:00Z' },
    );
    // assert
    expect(run).toMatchObject({
      status: 'started',
      segments: SCAN_SEGMENTS,
      sizeUnknown: 'AccessDeniedException: not authorized',
    });
    expect(queue.length).toBe(SCAN_SEGMENTS);
  });

  it('announces a run whose start notification the bus refused once, when the schedule retries it', async () => {
    // arrange: the bus refuses the first notification (a throttled entry)
    const d = deps();
    const run = { journeyId: 'plan', scheduledTime: '2026-11-30T14:00:00Z' };
    bus.resetHistory();
    bus
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    // act
    await expect(startRun(d, run)).rejects.toThrow('Segment Run Started');
    const retried = await startRun(d, run);
    // assert: the retry announces it (a start is announced at least once)
    expect(retried.status).toBe('started');
    const puts = bus.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.[0]?.DetailType);
    expect(puts).toEqual(['Segment Run Started', 'Segment Run Started']);
  });

  it('announces the run when it starts and when its last work item is done, with its figures', async () => {
    // arrange: an earlier run enters everyone re-entry "once" lets in
    const d = deps();
    await startRun(d, { journeyId: 'announced', scheduledTime: '2026-11-30T11:00:00Z' });
    await drain(d);
    bus.resetHistory();
    // act
    await startRun(d, { journeyId: 'announced', scheduledTime: '2026-11-30T12:00:00Z' });
    await drain(d);
    // assert
    const events = bus.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(events.map((e) => [e.Source, e.DetailType])).toEqual([
      ['journeys.system', 'Segment Run Started'],
      ['journeys.system', 'Segment Run Completed'],
    ]);
    expect(JSON.parse(events[1]?.Detail ?? '{}')).toMatchObject({
      journeyId: 'announced',
      runId: '2026-11-30T12:00:00.000Z',
      segments: 1,
      scanned: 11,
      matched: 3,
      entered: 0,
    });
  });

  it('completes a run whose journey is paused part-way, saying why and entering no one after', async () => {
    // arrange: the run is fanned out, then the marketer pauses the journey
    const d = deps();
    await registerJourney(db, renewal('halted'));
    await startRun(d, { journeyId: 'halted', scheduledTime: RUN });
    await registerJourney(db, renewal('halted', { status: 'paused' }));
    bus.resetHistory();
    const before = starts().length;
    // act
    const totals = await drain(d);
    // assert
    expect(totals.enrolled).toBe(0);
    expect(starts().length).toBe(before);
    const events = bus.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(events.map((e) => e.DetailType)).toEqual(['Segment Run Completed']);
    expect(JSON.parse(events[0]?.Detail ?? '{}')).toMatchObject({
      journeyId: 'halted',
      runId: RUN,
      entered: 0,
      stopped: 'status paused',
    });
  });

  it('does nothing for a paused or unknown journey', async () => {
    const d = deps();
    const paused = await startRun(d, { journeyId: 'paused', scheduledTime: RUN });
    const unknown = await startRun(d, { journeyId: 'nope', scheduledTime: RUN });
    expect([paused, unknown].map((r) => r.status === 'skipped' && r.reason)).toEqual([
      'status paused',
      'unknown journey',
    ]);
    expect(queue).toEqual([]);
  });
});

describe('segment entry: paging and failures', () => {
  it('continues each Scan segment page by page until the table is read', async () => {
    // arrange: one profile per page, so every non-empty Scan segment continues
    const d = deps(1);
    // act
    await startRun(d, { journeyId: 'paged', scheduledTime: RUN });
    const totals = await drain(d);
    // assert
    const continued = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => JSON.parse(e.MessageBody ?? '{}'))
      .filter((item) => item.kind === 'scan' && item.cursor !== undefined);
    expect(continued.length).toBeGreaterThan(0);
    const total = await db.doc.send(new ScanCommand({ TableName: db.tables.profiles, Select: 'COUNT' }));
    expect(totals.scanned).toBe(total.Count);
    expect(totals.enrolled).toBe(6);
  });

  it('reports only the failed messages of a batch', async () => {
    // arrange
    const d = deps();
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const batch = [
      { messageId: 'bad-json', body: '{' },
      { messageId: 'bad-shape', body: JSON.stringify({ kind: 'other' }) },
      {
        messageId: 'throttled',
        body: JSON.stringify({
          kind: 'enroll',
          journeyId: 'plan',
          runId: '2026-12-01T09:00:00.000Z',
          userIds: ['u-other'],
        }),
      },
      {
        messageId: 'ok',
        body: JSON.stringify({ kind: 'enroll', journeyId: 'paused', runId: RUN, userIds: ['u-match-1'] }),
      },
    ];
    // act
    const result = await processRecords(d, batch);
    // assert
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'bad-json' },
      { itemIdentifier: 'bad-shape' },
      { itemIdentifier: 'throttled' },
    ]);
  });
});

describe('segment entry: work of a run whose record is gone', () => {
  it('still enters its customers and leaves no run record without an expiry', async () => {
    // arrange: a scan and an enroll item of a run never claimed here, or whose record expired since
    // (a message redriven from the dead-letter queue weeks later)
    const d = deps();
    const runId = '2026-09-01T09:00:00.000Z';
    const scan = { kind: 'scan', journeyId: 'plan', runId, segment: 0, totalSegments: 1 };
    const enroll = { kind: 'enroll', journeyId: 'plan', runId, userIds: ['u-stray'] };
    // act
    const result = await processRecords(d, [
      { messageId: 'scan', body: JSON.stringify(scan) },
      { messageId: 'enroll', body: JSON.stringify(enroll) },
    ]);
    // assert
    expect(result.batchItemFailures).toEqual([]);
    expect(result.totals.enrolled).toBe(1);
    const record = await db.doc.send(
      new GetCommand({ TableName: db.tables.stats, Key: { pk: 'segment-run#plan', sk: runId } }),
    );
    expect(record.Item).toBeUndefined();
  });
});

describe('segment entry: a visitor who entered, then signed in', () => {
  /**
   * The tables with a profiles table of the test's own, empty: its visitor and customer are all a
   * run scans, and the other runs never scan them.
   */
  async function ownProfiles() {
    const profilesTable = await addTable(db, 'profiles', caseId('segment-profiles'));
    return {
      ingest: ingestDeps({ doc: db.doc, tables: { ...db.tables, profiles: profilesTable } }).deps,
      profilesTable,
    };
  }

  it('does not enter the customer again in a journey entered once under the merged id', async () => {
    // arrange: an anonymous visitor in the segment enters the journey, then signs in
    await registerJourney(db, renewal('vip'));
    const { ingest, profilesTable } = await ownProfiles();
    const visitor = { ...identify('unused', { vip: 'plus' }), userId: undefined, anonymousId: 'v-vip' };
    await ingestEvent(ingest, visitor);
    // Ingest's dependencies mock the same clients: the segment queue and Step Functions fakes again.
    services.reset();
    const d = { ...deps(), profilesTable };
    await startRun(d, { journeyId: 'vip', scheduledTime: '2026-11-30T13:00:00Z' });
    const first = await drain(d);
    await ingestEvent(ingest, { ...identify('u-vip', {}), anonymousId: 'v-vip' });
    services.reset();
    // act: the next day's run
    await startRun(d, { journeyId: 'vip', scheduledTime: '2026-12-01T13:00:00Z' });
    const next = await drain(d);
    // assert
    expect(first).toMatchObject({ matched: 1, enrolled: 1 });
    expect(next).toMatchObject({ matched: 0, enrolled: 0 });
  });

  it('counts an entry made under the merged id against the journey’s entry limit', async () => {
    // arrange: a weekly limit, any number of entries otherwise; the visitor enters, then signs in
    await registerJourney(
      db,
      renewal('weekly', {
        trigger: {
          type: 'segment',
          schedule: 'rate(1 day)',
          segment: { path: 'profile.traits.weekly', eq: 'plus' },
          limit: { max: 1, per: 'P7D' },
        },
        reentry: { mode: 'always' },
      }),
    );
    const { ingest, profilesTable } = await ownProfiles();
    const visitor = { ...identify('unused', { weekly: 'plus' }), userId: undefined, anonymousId: 'v-week' };
    await ingestEvent(ingest, visitor);
    services.reset();
    const d = { ...deps(), profilesTable };
    await startRun(d, { journeyId: 'weekly', scheduledTime: '2026-11-30T13:00:00Z' });
    const first = await drain(d);
    await ingestEvent(ingest, { ...identify('u-week', {}), anonymousId: 'v-week' });
    services.reset();
    // act: the next day's run, within the week
    await startRun(d, { journeyId: 'weekly', scheduledTime: '2026-12-01T13:00:00Z' });
    const next = await drain(d);
    // assert: the known customer is kept out, and counted as skipped by the limit
    expect(first).toMatchObject({ matched: 1, enrolled: 1 });
    expect(next).toMatchObject({ matched: 0, enrolled: 0 });
    const skips = (await tables().stats.funnel('weekly')).filter(
      (r) => r.metric === 'entrySkipped' && r.reason === 'limit',
    );
    expect(skips.reduce((n, r) => n + r.count, 0)).toBe(1);
  });
});

async function enrolledCount(): Promise<number> {
  const rows = await tables().stats.funnel('plan');
  return rows
    .filter((r) => r.metric === 'enrolled' && r.stepId === undefined)
    .reduce((n, r) => n + r.count, 0);
}
