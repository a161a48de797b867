import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { DeleteCommand, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { messageDigest } from '#functions/_lib/redelivery-guard.ts';
import { type StatRow, StatsRepository } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { applyFeedback } from '#functions/delivery-feedback/feedback.ts';
import { executionStatusChanged } from '#functions/execution-status/status.ts';
import { type IngestDeps, ingestEvent } from '#functions/ingest/ingest.ts';
import { outcomeMetric } from '#shared/stats/keys.ts';
import type { AwaitEventInput } from '#shared/tasks/await-event.ts';
import { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { caseId } from '../../support/case-ids.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import type { Fault, FaultProxy } from '../../support/fault-proxy.ts';
import { faultyDynamo } from '../../support/faulty-dynamo.ts';
import { awaitDepsOf, identify, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * The results' counts under a fault at the count's own write: the write
 * fails before it lands (throttled, refused), or lands and the handler dies
 * before it settles its mark (`error-after`: the answer never comes back).
 * The handler is then retried, as Lambda and EventBridge do, and delivered
 * once more later: each entry, conversion, ending and feedback outcome is
 * counted exactly once.
 */

let db: LocalDynamo;
let proxy: FaultProxy;
/** The stats table reached through the fault proxy (one attempt per call: a fault is what the SDK's retries ended with). */
let faultyStats: StatsRepository;

/**
 * Business time moves 1.5 s at every reading: a count's mark and the counts written before it are
 * always further apart than the guard's clock-skew margin (1 s), as they are on AWS, however fast
 * or slow the machine runs the test.
 */
function steppingClock(): () => Date {
  let at = Date.parse('2026-11-24T10:00:00Z');
  return () => {
    at += 1500;
    return new Date(at);
  };
}

beforeAll(async () => {
  setClock(steppingClock());
  db = await startDynalite('count-faults');
  const faulty = await faultyDynamo(db);
  proxy = faulty.proxy;
  faultyStats = new StatsRepository(faulty.doc, db.tables.stats);
  await registerJourney(db, {
    id: 'faults',
    name: 'Counts under faults',
    trigger: { type: 'event', event: 'Signed Up' },
    reentry: { mode: 'once' },
    goal: { event: 'Order Completed', within: 'P3D', exit: true, value: 'event.properties.total' },
    start: 'wait',
    steps: {
      wait: { type: 'wait', for: 'P1D', next: 'done' },
      done: { type: 'exit' },
    },
  });
});
afterAll(async () => {
  resetClock();
  await proxy.stop();
  await db.stop();
});
beforeEach(() => proxy.plan(() => 'pass'));

/** Faults the first write to the stats table, passes everything else. */
function faultFirstCount(fault: Fault) {
  let left = 1;
  proxy.plan((_index, request) => {
    if (left === 0 || !request.target.endsWith('.UpdateItem') || !request.body.includes(db.tables.stats))
      return 'pass';
    left -= 1;
    return fault;
  });
}

/** Runs a handler as a retried delivery does: the faulted attempt, its retry, then one more delivery. */
async function deliver(run: () => Promise<unknown>, fault: Fault) {
  faultFirstCount(fault);
  await expect(run()).rejects.toThrow();
  proxy.plan(() => 'pass');
  await run();
  await run();
}

/** Ingest's dependencies, counting through the fault proxy. */
function faulty(): { deps: IngestDeps; sfn: ReturnType<typeof ingestDeps>['sfn'] } {
  const { deps, sfn } = ingestDeps(db);
  return { deps: { ...deps, stats: faultyStats }, sfn };
}

async function count(metric: string, stepId?: string, journeyId = 'faults'): Promise<StatRow | undefined> {
  const rows = await new StatsRepository(db.doc, db.tables.stats).funnel(journeyId);
  return rows.find((r) => r.metric === metric && r.stepId === stepId && r.variant === undefined);
}

async function countOf(metric: string, stepId?: string, journeyId?: string): Promise<number> {
  return (await count(metric, stepId, journeyId))?.count ?? 0;
}

/** Enrolls a customer with nothing faulted; the execution input of the enrollment. */
async function enroll(userId: string) {
  const { deps, sfn } = faulty();
  await ingestEvent(deps, track(userId, 'Signed Up'));
  const start = sfn.calls().at(-1)?.args[0].input as { input?: string } | undefined;
  const raw = String(start?.input);
  return { raw, input: EnrollmentInput.parse(JSON.parse(raw)) };
}

function succeeded(input: EnrollmentInput, raw: string) {
  return {
    executionArn: `arn:aws:states:eu-west-1:123456789012:execution:journey-faults:${input.enrollmentId}`,
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:journey-faults',
    name: input.enrollmentId,
    status: 'SUCCEEDED',
    startDate: Date.parse('2026-11-24T10:00:00Z'),
    stopDate: Date.parse('2026-11-25T10:00:00Z'),
    input: raw,
    inputDetails: { included: true },
  };
}

const FAULTS = ['error-before', 'error-after'] as const satisfies readonly Fault[];

describe('counts under a fault at their write, retried', () => {
  it.each(FAULTS)('an entry is counted once (%s)', async (fault) => {
    const before = await countOf('enrolled');
    const event = track(caseId('cf-enter'), 'Signed Up');
    await deliver(() => ingestEvent(faulty().deps, event), fault);
    expect((await countOf('enrolled')) - before).toBe(1);
  });

  it.each(FAULTS)('a conversion and its value are counted once (%s)', async (fault) => {
    const userId = caseId('cf-convert');
    await enroll(userId);
    const before = { count: await countOf('converted'), sum: (await count('converted'))?.sum ?? 0 };
    const order = track(userId, 'Order Completed', { total: 25 });
    await deliver(() => ingestEvent(faulty().deps, order), fault);
    const after = await count('converted');
    expect({ count: (after?.count ?? 0) - before.count, sum: (after?.sum ?? 0) - before.sum }).toEqual({
      count: 1,
      sum: 25,
    });
  });

  it.each(FAULTS)('an ending is counted once (%s)', async (fault) => {
    const userId = caseId('cf-end');
    const { input, raw } = await enroll(userId);
    const before = await countOf(outcomeMetric('completed'));
    const { deps: d } = faulty();
    const status = { enrollments: d.enrollments, profiles: d.profiles, stats: faultyStats };
    await deliver(() => executionStatusChanged(status, succeeded(input, raw)), fault);
    expect((await countOf(outcomeMetric('completed'))) - before).toBe(1);
    // the goal window (3 days) is still open: the ended enrollment stays, with nothing pending
    expect(await d.enrollments.enrollment(userId, input.enrollmentId)).toMatchObject({
      endedAt: '2026-11-25T10:00:00.000Z',
    });
    expect((await d.enrollments.enrollment(userId, input.enrollmentId))?.endedPending).toBeUndefined();
  });

  it.each(FAULTS)('a delivery feedback outcome is counted once (%s)', async (fault) => {
    const userId = caseId('cf-feedback');
    const messageId = `ses-${userId}`;
    await ingestEvent(ingestDeps(db).deps, identify(userId, { email: `${userId}@example.com` }));
    const deliveries = new DeliveriesRepository(db.doc, db.tables.deliveries);
    const meta = { userId, journeyId: 'faults', version: '1', stepId: 'email-1', channel: 'email' as const };
    await deliveries.linkMessage(messageId, `${userId}#email-1`, meta, new Date());
    const before = await countOf('delivered', 'email-1');
    const feedback = {
      deliveries,
      profiles: faulty().deps.profiles,
      stats: faultyStats,
      now: () => new Date('2026-11-24T10:00:06Z'),
    };
    const delivery = {
      eventType: 'Delivery',
      mail: { messageId, destination: ['x@example.com'] },
      delivery: {},
    };
    await deliver(() => applyFeedback(feedback, delivery), fault);
    expect((await countOf('delivered', 'email-1')) - before).toBe(1);
  });
});

describe('counts left pending with no retry', () => {
  it('counts an entry left pending when its execution ends', async () => {
    // arrange: a journey of its own, so no other test's count takes the guard slots of its counters
    // between the mark and the retry (the guard would then rightly leave the count out);
    // the entry's count fails and the trigger is never delivered again (EventBridge gave up)
    await registerJourney(db, {
      id: 'faults-orphan',
      name: 'Counts left pending',
      trigger: { type: 'event', event: 'Orphan Signed Up' },
      start: 'done',
      steps: { done: { type: 'exit' } },
    });
    const userId = caseId('cf-orphan');
    const countHere = (metric: string) => countOf(metric, undefined, 'faults-orphan');
    const before = {
      enrolled: await countHere('enrolled'),
      completed: await countHere(outcomeMetric('completed')),
    };
    const { deps, sfn } = faulty();
    faultFirstCount('error-before');
    await expect(ingestEvent(deps, track(userId, 'Orphan Signed Up'))).rejects.toThrow();
    proxy.plan(() => 'pass');
    const raw = String((sfn.calls().at(-1)?.args[0].input as { input?: string } | undefined)?.input);
    const input = EnrollmentInput.parse(JSON.parse(raw));
    // act: the execution ends
    const status = { enrollments: deps.enrollments, profiles: deps.profiles, stats: faultyStats };
    await executionStatusChanged(status, succeeded(input, raw));
    await executionStatusChanged(status, succeeded(input, raw));
    // assert
    expect({
      enrolled: (await countHere('enrolled')) - before.enrolled,
      completed: (await countHere(outcomeMetric('completed'))) - before.completed,
    }).toEqual({ enrolled: 1, completed: 1 });
    expect((await deps.enrollments.enrollment(userId, input.enrollmentId))?.enrolledPending).toBeUndefined();
  });
});

/** What DynamoDB's TTL does by `seconds`: the enrollment items whose `expiresAt` is before it are gone. */
async function expireBy(seconds: number) {
  const { Items = [] } = await db.doc.send(new ScanCommand({ TableName: db.tables.enrollments }));
  for (const item of Items)
    if (typeof item.expiresAt === 'number' && item.expiresAt < seconds)
      await db.doc.send(
        new DeleteCommand({ TableName: db.tables.enrollments, Key: { userId: item.userId, sk: item.sk } }),
      );
}

/** A step of the `faults` enrollment waiting for `Survey Answered` (registered as the await-event task does). */
async function waitForSurvey(userId: string, enrollmentId: string, stats?: StatsRepository) {
  const deps = awaitDepsOf(db, ingestDeps(db).deps);
  return awaitEvent(stats === undefined ? deps : { ...deps, stats }, surveyInput(userId, enrollmentId));
}

/** The await-event task of the `survey` step. */
function surveyInput(userId: string, enrollmentId: string): AwaitEventInput {
  return {
    v: CONTRACT_VERSION,
    journeyId: 'faults',
    journeyVersion: '1',
    enrollmentId,
    userId,
    stepId: 'survey',
    token: `token-${enrollmentId}`,
    event: 'Survey Answered',
    match: [],
    timeoutSeconds: 86_400,
    startedAt: '2026-11-24T09:58:00.000Z',
    trigger: {},
  };
}

describe('counts left pending outlive the TTL of their item', () => {
  it('a goal reached after the end, its count failed, is counted by a retry after the goal window closed', async () => {
    // arrange: the execution ended; the goal window (3 days) keeps the item until it closes
    const userId = caseId('cf-late-goal');
    const { input, raw } = await enroll(userId);
    const { deps: d } = faulty();
    const status = { enrollments: d.enrollments, profiles: d.profiles, stats: faultyStats };
    await executionStatusChanged(status, succeeded(input, raw));
    const goalUntil = (await d.enrollments.enrollment(userId, input.enrollmentId))?.goalUntil;
    const before = await countOf('converted');
    // act: the goal's count fails; the window closes (and the TTL passes it) before EventBridge retries
    const order = track(userId, 'Order Completed', { total: 40 });
    faultFirstCount('error-before');
    await expect(ingestEvent(faulty().deps, order)).rejects.toThrow();
    proxy.plan(() => 'pass');
    await expireBy(Date.parse(String(goalUntil)) / 1000 + 3600);
    await ingestEvent(faulty().deps, order);
    // assert
    expect((await countOf('converted')) - before).toBe(1);
    expect(await d.enrollments.enrollment(userId, input.enrollmentId)).toBeUndefined();
  });

  it('an end that read the item before a goal marked it leaves the goal its pending count and its TTL', async () => {
    // arrange: the execution's end reads the running item; a goal marks it before the end settles
    const userId = caseId('cf-race');
    const { input } = await enroll(userId);
    const items = faulty().deps.enrollments;
    const running = await items.enrollment(userId, input.enrollmentId);
    const ended = await items.endCounted(userId, input.enrollmentId, '2026-11-25T10:00:00.000Z');
    const owed = await items.markConverted(userId, running as NonNullable<typeof running>, 'order-1', {
      at: new Date('2026-11-25T10:00:01Z'),
    });
    // act
    await items.settleEnd(userId, (ended as NonNullable<typeof ended>).enrollment);
    // assert: still pending for the goal's count (and its retry), kept a week past its mark
    const after = await db.doc.send(
      new GetCommand({ TableName: db.tables.enrollments, Key: { userId, sk: `e#${input.enrollmentId}` } }),
    );
    expect(after.Item).toMatchObject({ convertedPending: owed?.pendingAt });
    expect(after.Item?.endedPending).toBeUndefined();
    expect(Number(after.Item?.expiresAt)).toBeGreaterThanOrEqual(
      Math.floor(Number(owed?.pendingAt) / 1000) + 7 * 86_400,
    );
  });

  it('an entry marked after its execution ended keeps its item a week past the mark', async () => {
    // arrange: the execution ends and settles before ingest marks the entry (its goal window keeps the item 3 days)
    const userId = caseId('cf-late-entry');
    const { input } = await enroll(userId);
    const items = faulty().deps.enrollments;
    const key = { userId, sk: `e#${input.enrollmentId}` };
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tables.enrollments,
        Key: key,
        UpdateExpression: 'REMOVE #counted, enrolledPending',
        ExpressionAttributeNames: { '#counted': 'counted' },
      }),
    );
    const ended = await items.endCounted(userId, input.enrollmentId, '2026-11-24T10:00:10.000Z');
    await items.settleEnd(userId, (ended as NonNullable<typeof ended>).enrollment);
    // act
    const owed = await items.markCounted(userId, input.enrollmentId);
    // assert: pending, and kept for the count's retry as long as every other mark keeps its item
    const after = await db.doc.send(new GetCommand({ TableName: db.tables.enrollments, Key: key }));
    expect(after.Item).toMatchObject({ enrolledPending: owed?.pendingAt, counted: true });
    expect(Number(after.Item?.expiresAt)).toBeGreaterThanOrEqual(
      Math.floor(Number(owed?.pendingAt) / 1000) + 7 * 86_400,
    );
  });

  it('an end does not delete an item a count was marked on since it read it', async () => {
    // arrange: a converted enrollment ends (nothing keeps its item); its entry's mark lands after the end read it
    const userId = caseId('cf-race-delete');
    const { input } = await enroll(userId);
    const items = faulty().deps.enrollments;
    const running = await items.enrollment(userId, input.enrollmentId);
    await items.markConverted(userId, running as NonNullable<typeof running>, 'order-2', { at: new Date() });
    await items.settleCount(userId, input.enrollmentId, 'converted');
    const ended = await items.endCounted(userId, input.enrollmentId, '2026-11-25T10:00:00.000Z');
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tables.enrollments,
        Key: { userId, sk: `e#${input.enrollmentId}` },
        UpdateExpression: 'SET enrolledPending = :at',
        ExpressionAttributeValues: { ':at': 1 },
      }),
    );
    // act
    await items.settleEnd(userId, (ended as NonNullable<typeof ended>).enrollment);
    // assert: the entry's count still finds its mark; the end's own mark is settled
    const after = await items.enrollment(userId, input.enrollmentId);
    expect(after).toMatchObject({ enrolledPending: 1 });
    expect(after?.endedPending).toBeUndefined();
  });
});

describe('an awaited event, counted as received', () => {
  it.each(FAULTS)(
    'is counted once when its count fails and the event is delivered again (%s)',
    async (fault) => {
      const userId = caseId('cf-received');
      const { input } = await enroll(userId);
      await waitForSurvey(userId, input.enrollmentId);
      const before = await countOf('eventReceived', 'survey');
      const answer = track(userId, 'Survey Answered');
      await deliver(() => ingestEvent(faulty().deps, answer), fault);
      expect((await countOf('eventReceived', 'survey')) - before).toBe(1);
      expect(await faulty().deps.enrollments.waitersOf(userId, input.enrollmentId)).toEqual([]);
    },
  );

  it('is counted when the execution ends before the retry', async () => {
    // arrange: the resumed step was the last; its execution ends before EventBridge retries the event
    const userId = caseId('cf-received-end');
    const { input, raw } = await enroll(userId);
    await waitForSurvey(userId, input.enrollmentId);
    const before = await countOf('eventReceived', 'survey');
    const answer = track(userId, 'Survey Answered');
    faultFirstCount('error-before');
    await expect(ingestEvent(faulty().deps, answer)).rejects.toThrow();
    proxy.plan(() => 'pass');
    // act
    const { deps: d } = faulty();
    await executionStatusChanged(
      { enrollments: d.enrollments, profiles: d.profiles, stats: faultyStats },
      succeeded(input, raw),
    );
    await ingestEvent(faulty().deps, answer);
    // assert
    expect((await countOf('eventReceived', 'survey')) - before).toBe(1);
  });
});

describe('an awaited event pending on a registration the step replaced', () => {
  it.each(FAULTS)('is counted once, and the new registration counts its own event (%s)', async (fault) => {
    // arrange: the step waits; its answer resumes it, and the count of its mark fails
    const userId = caseId('cf-rewait');
    const { input } = await enroll(userId);
    await waitForSurvey(userId, input.enrollmentId);
    const before = await countOf('eventReceived', 'survey');
    const first = track(userId, 'Survey Answered');
    faultFirstCount(fault);
    await expect(ingestEvent(faulty().deps, first)).rejects.toThrow();
    proxy.plan(() => 'pass');
    // act: the execution loops back to the step (a new token), then a second answer, then the first's retry
    const again = { ...surveyInput(userId, input.enrollmentId), token: `token-${input.enrollmentId}-2` };
    await awaitEvent(
      { ...awaitDepsOf(db, ingestDeps(db).deps), stats: faultyStats },
      { ...again, previous: first.messageId },
    );
    await ingestEvent(faulty().deps, track(userId, 'Survey Answered'));
    await ingestEvent(faulty().deps, first);
    // assert: each registration's event counted once
    expect((await countOf('eventReceived', 'survey')) - before).toBe(2);
    expect(await faulty().deps.enrollments.waitersOf(userId, input.enrollmentId)).toEqual([]);
  });
});

describe('the count guard', () => {
  const stats = () => new StatsRepository(db.doc, db.tables.stats, { now: () => clock });
  let clock = new Date('2026-11-24T10:00:00Z');
  /** A counter of the test's own: no other test's count takes its guard slots or adds to it. */
  const counterOf = () => ({ journeyId: caseId('guard'), version: '1', metric: 'delivered', stepId: 's' });
  const guardCount = async (journeyId: string) =>
    (await new StatsRepository(db.doc, db.tables.stats).funnel(journeyId)).find((r) => r.stepId === 's')
      ?.count ?? 0;
  /** An id whose count shares the guard slot (and shard) of `id`. */
  const sharing = (id: string) => {
    const slotOf = (d: number) => d % 128;
    for (let i = 0; ; i++)
      if (slotOf(messageDigest(`${id}-${i}`)) === slotOf(messageDigest(id))) return `${id}-${i}`;
  };

  it('writes a retried count that never landed, and not one that did', async () => {
    const key = counterOf();
    clock = new Date('2026-11-24T10:00:00Z');
    const pendingAt = clock.getTime();
    // act: a retry of a count that never landed, then a retry of one that did
    const missing = await stats().increment(key, 1, undefined, { id: 'g-1', pendingAt, retry: true });
    const landed = await stats().increment(key, 1, undefined, { id: 'g-1', pendingAt, retry: true });
    // assert
    expect([missing, landed]).toEqual(['applied', 'held']);
    expect(await guardCount(key.journeyId)).toBe(1);
  });

  it('counts once when a retry runs beside the first attempt', async () => {
    const key = counterOf();
    clock = new Date('2026-11-24T10:30:00Z');
    const pendingAt = clock.getTime();
    // act: the retry lands first, then the first attempt's write
    const retry = await stats().increment(key, 1, undefined, { id: 'g-4', pendingAt, retry: true });
    const first = await stats().increment(key, 1, undefined, { id: 'g-4', pendingAt, retry: false });
    // assert
    expect([retry, first]).toEqual(['applied', 'held']);
    expect(await guardCount(key.journeyId)).toBe(1);
  });

  it('leaves out a retried count whose slot another count took since its mark, and says so', async () => {
    const key = counterOf();
    clock = new Date('2026-11-24T11:00:00Z');
    const pendingAt = clock.getTime();
    await stats().increment(key, 1, undefined, { id: 'g-2', pendingAt, retry: false });
    clock = new Date('2026-11-24T11:00:05Z');
    await stats().increment(key, 1, undefined, {
      id: sharing('g-2'),
      pendingAt: clock.getTime(),
      retry: false,
    });
    // act: the first count's retry can no longer tell whether it landed
    const result = await stats().increment(key, 1, undefined, { id: 'g-2', pendingAt, retry: true });
    // assert: the two counts, not the retry
    expect(result).toBe('unsettled');
    expect(await guardCount(key.journeyId)).toBe(2);
  });

  it('writes a retried count whose slot another count took before its mark', async () => {
    const key = counterOf();
    clock = new Date('2026-11-24T12:00:00Z');
    await stats().increment(key, 1, undefined, {
      id: sharing('g-3'),
      pendingAt: clock.getTime(),
      retry: false,
    });
    clock = new Date('2026-11-24T12:01:00Z');
    // act
    const result = await stats().increment(key, 1, undefined, {
      id: 'g-3',
      pendingAt: clock.getTime(),
      retry: true,
    });
    // assert: the other count and the retry
    expect(result).toBe('applied');
    expect(await guardCount(key.journeyId)).toBe(2);
  });
});

describe('an event that arrived before its step waited, counted as received', () => {
  // A journey that waits for the answer: the profile keeps the last one for a step that starts waiting later.
  beforeAll(() =>
    registerJourney(db, {
      id: 'survey',
      name: 'Survey',
      trigger: { type: 'event', event: 'Survey Sent' },
      reentry: { mode: 'once' },
      start: 'survey',
      steps: {
        survey: {
          type: 'waitForEvent',
          event: 'Survey Answered',
          timeout: 'P1D',
          onEvent: 'done',
          onTimeout: 'done',
        },
        done: { type: 'exit' },
      },
    }),
  );

  /** The answer first, then the step starts waiting and finds it kept on the profile. */
  async function answeredFirst(userId: string) {
    const { input } = await enroll(userId);
    await ingestEvent(faulty().deps, track(userId, 'Survey Answered'));
    return input.enrollmentId;
  }

  it('is counted once by the step that finds it, repeated with the same token', async () => {
    // arrange
    const userId = caseId('cf-first');
    const enrollmentId = await answeredFirst(userId);
    const before = await countOf('eventReceived', 'survey');
    // act: the task, then the same task again (a repeated invocation)
    await waitForSurvey(userId, enrollmentId, faultyStats);
    await waitForSurvey(userId, enrollmentId, faultyStats);
    // assert
    expect((await countOf('eventReceived', 'survey')) - before).toBe(1);
    expect(await faulty().deps.enrollments.waitersOf(userId, enrollmentId)).toEqual([]);
  });

  it.each(FAULTS)('is counted once when its count fails and the task is repeated (%s)', async (fault) => {
    // arrange
    const userId = caseId('cf-first-fault');
    const enrollmentId = await answeredFirst(userId);
    const before = await countOf('eventReceived', 'survey');
    // act: the count's write fails; the same task again, then once more
    await deliver(() => waitForSurvey(userId, enrollmentId, faultyStats), fault);
    // assert
    expect((await countOf('eventReceived', 'survey')) - before).toBe(1);
    expect(await faulty().deps.enrollments.waitersOf(userId, enrollmentId)).toEqual([]);
  });

  it('is not counted when the step timed out before it was resumed', async () => {
    // arrange: the step's timeout path won; Step Functions refuses the resume
    const userId = caseId('cf-first-late');
    const enrollmentId = await answeredFirst(userId);
    const before = await countOf('eventReceived', 'survey');
    const { deps, sfn } = ingestDeps(db);
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('timed out'), { name: 'TaskTimedOut' }));
    // act
    const result = await awaitEvent(
      { ...awaitDepsOf(db, deps), stats: faultyStats },
      surveyInput(userId, enrollmentId),
    );
    // assert
    expect(result.status).toBe('resumed');
    expect((await countOf('eventReceived', 'survey')) - before).toBe(0);
    expect(await deps.enrollments.waitersOf(userId, enrollmentId)).toEqual([]);
  });

  it('is counted once when ingest delivers it too', async () => {
    // arrange: the step waits, then ingest and the step both see the answer
    const userId = caseId('cf-first-both');
    const { input } = await enroll(userId);
    const before = await countOf('eventReceived', 'survey');
    const answer = track(userId, 'Survey Answered');
    await waitForSurvey(userId, input.enrollmentId, faultyStats);
    // act
    await ingestEvent(faulty().deps, answer);
    await waitForSurvey(userId, input.enrollmentId, faultyStats);
    // assert
    expect((await countOf('eventReceived', 'survey')) - before).toBe(1);
  });
});
