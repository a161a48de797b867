import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryIdOf } from '#functions/_lib/deliveries.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { type CountMetric, sendTask } from '#functions/send-message/task.ts';
import { ErrorName } from '#shared/errors.ts';
import type { SendMessageInput, SendMessageOutput } from '#shared/tasks/send-message.ts';
import { caseId } from '../../support/case-ids.ts';
import type { Fault, FaultPlan } from '../../support/fault-proxy.ts';
import { type Counted, runCounted } from '../../support/send-counted.ts';
import { type StoreWrite, storeFaults } from '../../support/send-faults.ts';
import { type Channel, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import {
  compiledSendRetry,
  type RetryTiming,
  runWithRetry,
  type VirtualClock,
  virtualClock,
} from '../../support/task-retry.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * DynamoDB faults at each read and write of the send path, injected by a
 * proxy in front of dynalite, with the providers real (SES v2 emulator, local
 * Pinpoint). The task runs as the compiled Task state does: its Retry list,
 * retries as soon as FULL jitter allows (the case where they run out
 * soonest), and a deferral waits until its time and runs the task again.
 * Whatever the fault, the customer gets the message at most once, and the
 * delivery record and the execution agree on what happened.
 */

let world: SendWorld;
const { matches, once } = storeFaults(() => world);

beforeAll(async () => {
  world = await startSendWorld('store-faults');
});
afterAll(async () => world.stop());
beforeEach(() => world.dbProxy.plan(() => 'pass'));

const WRITES = {
  claim: { op: 'UpdateItem', table: 'deliveries', marker: 'leaseUntil = :lease' },
  'profile read': { op: 'GetItem', table: 'profiles' },
  'cap slot': { op: 'UpdateItem', table: 'profiles' },
  'mark called': { op: 'UpdateItem', table: 'deliveries', marker: 'SET calledAt' },
  'message link': { op: 'UpdateItem', table: 'deliveries', marker: 'msg#' },
  'last step sent': { op: 'UpdateItem', table: 'enrollments', marker: 'lastStep' },
  'record outcome': { op: 'UpdateItem', table: 'deliveries', marker: '#output = :output' },
  'step counter': { op: 'UpdateItem', table: 'stats' },
} as const satisfies Record<string, StoreWrite>;
type WriteName = keyof typeof WRITES;

/** The task as the state machine runs it: Retry, then a deferral's Wait and the Task again. */
async function runTask(input: SendMessageInput, clock: VirtualClock, timing: RetryTiming) {
  const retriers = compiledSendRetry(input.channel, input.onUnknown);
  for (let visits = 1; visits <= 10; visits++) {
    const result = await runWithRetry(() => sendMessage(world.deps(clock), input), retriers, clock, timing);
    if (!result.ok || result.value.status !== 'deferred') return result;
    clock.advance(Math.max(0, Date.parse(result.value.until) - clock.now().getTime()));
  }
  throw new Error('still deferred after 10 visits');
}

async function stepCounts(input: SendMessageInput): Promise<Map<string, number>> {
  const rows = await new StatsRepository(world.db.doc, world.db.tables.stats).funnel(input.journeyId);
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (row.stepId === input.stepId && ['sent', 'unknown', 'suppressed', 'failed'].includes(row.metric))
      counts.set(row.metric, (counts.get(row.metric) ?? 0) + row.count);
  }
  return counts;
}

async function sendUnder(
  channel: Channel,
  write: WriteName,
  fault: Fault,
  times: number,
  timing: RetryTiming,
) {
  const userId = caseId('sf');
  await world.customer(userId);
  const input = world.input(userId, channel, { stepId: userId });
  world.dbProxy.plan(once(WRITES[write], fault, times));
  const clock = virtualClock('2026-11-24T10:00:00Z');
  const result = await runTask(input, clock, timing);
  const faulted = world.dbProxy.stats().faults.get(fault) ?? 0;
  world.dbProxy.plan(() => 'pass');
  const messageId = (await world.messages(channel)).get(userId)?.[0];
  return {
    input,
    result,
    faulted,
    // What delivery feedback finds the message by (a bounce or complaint for a message without it is lost).
    linked: messageId === undefined ? undefined : await world.deps(clock).deliveries.byMessage(messageId),
    delivered: (await world.delivered(channel)).get(userId) ?? 0,
    record: await world.record(input),
    counts: await stepCounts(input),
  };
}

/**
 * What the customer and the records must show once the task is done: `sent`,
 * or `unknown` when the attempt could not say; and how often the step's
 * counters count the message.
 */
const CELLS: [WriteName, Fault, number, SendMessageOutput['status']][] = [
  ['claim', 'error-before', 1, 'sent'],
  // The claim was written but its answer lost: the retry finds its own lease and waits it out.
  ['claim', 'error-after', 1, 'sent'],
  ['profile read', 'error-before', 1, 'sent'],
  ['cap slot', 'error-before', 1, 'sent'],
  ['cap slot', 'error-after', 1, 'sent'],
  ['mark called', 'error-before', 1, 'sent'],
  ['mark called', 'error-after', 1, 'sent'],
  // After the provider accepted the message the attempt tries its record twice; then it is never resent,
  // and what the record could not say is "unknown".
  ['record outcome', 'error-before', 1, 'sent'],
  ['record outcome', 'error-after', 1, 'sent'],
  ['record outcome', 'error-before', 2, 'unknown'],
  // Recorded as sent: a retry finds it and writes what is left (the feedback link, the last step sent).
  ['message link', 'error-before', 1, 'sent'],
  ['last step sent', 'error-before', 1, 'sent'],
  // Written, but the answer lost both times: the retry finds the outcome, and the count its record still owes.
  ['record outcome', 'error-after', 2, 'sent'],
  // The count fails after the record is settled (before it lands, or landed with the answer lost, twice):
  // the record keeps it pending, and the retry writes it unless the count guard shows it landed.
  ['step counter', 'error-before', 1, 'sent'],
  ['step counter', 'error-after', 1, 'sent'],
  ['step counter', 'error-before', 2, 'sent'],
  ['step counter', 'error-after', 2, 'sent'],
];

/**
 * The cells each channel runs. Up to the provider's call, and from its answer to the record, the
 * send path's reads and writes are the same code whatever the channel: email runs every cell. A
 * push carries what the service said of each token with its outcome, from the record to the count:
 * it runs the cells from the provider's call on. An SMS differs from an email only in its provider
 * and its message id: it runs the cells that meet the provider's answer (the call marked, the
 * outcome unrecorded, the link by its message id).
 */
const FROM_THE_CALL: ReadonlySet<WriteName> = new Set([
  'mark called',
  'record outcome',
  'message link',
  'last step sent',
  'step counter',
]);
const CELLS_OF: Record<Channel, typeof CELLS> = {
  email: CELLS,
  push: CELLS.filter(
    ([write, fault]) => FROM_THE_CALL.has(write) && !(write === 'mark called' && fault === 'error-before'),
  ),
  sms: CELLS.filter(
    ([write, fault, times]) =>
      (write === 'mark called' && fault === 'error-after') ||
      (write === 'record outcome' && fault === 'error-before' && times === 2) ||
      write === 'message link',
  ),
};

describe.each<Channel>(['email', 'sms', 'push'])(
  '%s with DynamoDB failing at one step of the send',
  (channel) => {
    it.each(CELLS_OF[channel])(
      '%s (%s ×%i): ends %s, delivered once, recorded',
      async (write, fault, times, expected) => {
        const { input, result, faulted, delivered, record, counts, linked } = await sendUnder(
          channel,
          write,
          fault,
          times,
          'shortest',
        );
        expect(faulted).toBe(times);
        expect(result).toMatchObject({ ok: true, value: { status: expected } });
        expect(delivered).toBe(1);
        expect(record.status).toBe(expected);
        if (expected === 'unknown') expect(String(record.detail)).toMatch(/outcome unknown|not recorded/);
        // Feedback finds the message (a bounce or complaint reaches the customer), whatever the record says.
        expect(linked).toMatchObject({ stepId: input.stepId, userId: input.userId });
        // The step counts the message once, under what the record says.
        const total = [...counts.values()].reduce((a, b) => a + b, 0);
        expect([total, counts.get(expected)]).toEqual([1, 1]);
      },
    );
  },
);

describe.each<Channel>(['email', 'sms', 'push'])(
  '%s sent by several invocations of one task at once',
  (channel) => {
    it('goes out once; the others wait out the claim and end with the same outcome', async () => {
      const userId = caseId('race');
      await world.customer(userId);
      const input = world.input(userId, channel, { stepId: userId });
      const clock = virtualClock('2026-11-24T10:00:00Z');
      // Step Functions retried an invocation it lost track of while the first still ran, twice over.
      const first = await Promise.all([1, 2, 3].map(() => sendMessage(world.deps(clock), input)));
      const sent = first.filter((o) => o.status === 'sent');
      const waiting = first.flatMap((o) => (o.status === 'deferred' ? [Date.parse(o.until)] : []));
      expect([sent.length, waiting.length]).toEqual([1, 2]);
      // Each waiting one comes back when the claim's lease ends (the compiled Wait), and finds the outcome.
      clock.advance(Math.max(...waiting) - clock.now().getTime());
      const revisits = await Promise.all(waiting.map(() => sendMessage(world.deps(clock), input)));
      expect(revisits).toEqual([sent[0], sent[0]]);
      expect((await world.delivered(channel)).get(userId)).toBe(1);
      expect((await world.record(input)).status).toBe('sent');
    });
  },
);

describe('a suppressed message whose count fails', () => {
  it.each(['error-before', 'error-after'] as const)(
    'is counted once, by the retry, and stays suppressed (%s)',
    async (fault) => {
      // arrange: a customer with no address on any channel
      const userId = caseId('noaddr');
      const input = world.input(userId, 'email', { stepId: userId });
      world.dbProxy.plan(once(WRITES['step counter'], fault, 1));
      // act
      const result = await runTask(input, virtualClock('2026-11-24T10:00:00Z'), 'shortest');
      world.dbProxy.plan(() => 'pass');
      // assert
      expect(result).toMatchObject({ ok: true, value: { status: 'suppressed' } });
      expect((await world.record(input)).status).toBe('suppressed');
      expect([...(await stepCounts(input))]).toEqual([['suppressed', 1]]);
    },
  );
});

describe('a deferral whose count fails', () => {
  it.each(['error-before', 'error-after'] as const)(
    'is counted once, by the next visit, and the message once (%s)',
    async (fault) => {
      const userId = caseId('defer');
      await world.customer(userId);
      const input = world.input(userId, 'email', {
        stepId: userId,
        quietHours: { start: '00:00', end: '23:59' },
      });
      world.dbProxy.plan(once(WRITES['step counter'], fault, 1));
      const result = await runTask(input, virtualClock('2026-11-24T10:00:00Z'), 'shortest');
      world.dbProxy.plan(() => 'pass');
      const rows = await new StatsRepository(world.db.doc, world.db.tables.stats).funnel(input.journeyId);
      const deferred = rows
        .filter((row) => row.stepId === input.stepId && row.metric === 'deferred')
        .reduce((sum, row) => sum + row.count, 0);
      expect(result).toMatchObject({ ok: true, value: { status: 'sent' } });
      expect([deferred, (await stepCounts(input)).get('sent')]).toEqual([1, 1]);
      expect((await world.delivered('email')).get(userId)).toBe(1);
    },
  );
});

describe('a sent message whose feedback link cannot be written at all', () => {
  it('still ends sent after one retry: the step never takes its failure path for a message the customer has', async () => {
    const userId = caseId('nolink');
    await world.customer(userId);
    const input = world.input(userId, 'email', { stepId: userId });
    world.dbProxy.plan((_index, request) =>
      matches(WRITES['message link'], request) ? 'error-before' : 'pass',
    );
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const result = await runTask(input, clock, 'shortest');
    world.dbProxy.plan(() => 'pass');
    expect(result).toMatchObject({ ok: true, attempts: 2, value: { status: 'sent' } });
    expect((await world.delivered('email')).get(userId)).toBe(1);
    expect((await world.record(input)).status).toBe('sent');
  });
});

describe('the alarmed "outcome unknown" metric', () => {
  /** An attempt the provider answered and whose outcome could not be written, and what came after. */
  async function unrecorded(
    label: string,
    plan: FaultPlan,
    timing: RetryTiming,
    providerFault?: Fault,
    onUnknown?: 'retry',
  ) {
    const userId = caseId(label);
    await world.customer(userId);
    const input = world.input(userId, 'email', {
      stepId: userId,
      ...(onUnknown ? { onUnknown } : {}),
    });
    world.sesProxy.plan((index) => (index === 0 && providerFault !== undefined ? providerFault : 'pass'));
    world.dbProxy.plan(plan);
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const counted: Counted[] = [];
    const outcome = await runCounted(world, input, clock, timing, counted);
    world.dbProxy.plan(() => 'pass');
    world.sesProxy.plan(() => 'pass');
    // The task visited again (a duplicate invocation) finds the outcome and counts nothing more.
    const again = await runCounted(world, input, clock, timing, counted);
    return {
      outcome,
      again,
      unknown: counted.filter((s) => s === 'unknown').length,
      counts: await stepCounts(input),
      delivered: (await world.delivered('email')).get(userId) ?? 0,
    };
  }

  it('counts an unreadable delivery record as unknown, and sends nothing', async () => {
    // arrange: the step's delivery record exists but is not one this code can read
    const userId = caseId('unreadable');
    await world.customer(userId);
    const input = world.input(userId, 'email', { stepId: userId });
    await world.db.doc.send(
      new PutCommand({
        TableName: world.db.tables.deliveries,
        Item: { deliveryId: deliveryIdOf(input.enrollmentId, input.stepId), status: 42 },
      }),
    );
    const counted: Counted[] = [];
    // act
    const outcome = await sendTask(world.deps(virtualClock('2026-11-24T10:00:00Z')), input, (status) =>
      counted.push(status),
    );
    // assert
    expect(outcome).toMatchObject({ status: 'unknown' });
    expect(counted).toEqual(['unknown']);
    expect((await world.delivered('email')).get(userId) ?? 0).toBe(0);
  });

  it('counts an outcome the attempt could not record once, when the retry settles it', async () => {
    const run = await unrecorded('unrec', once(WRITES['record outcome'], 'error-before', 2), 'longest');
    expect([run.outcome, run.again]).toMatchObject([{ status: 'unknown' }, { status: 'unknown' }]);
    expect(run.delivered).toBe(1);
    expect([run.unknown, run.counts.get('unknown')]).toEqual([1, 1]);
  });

  it('counts a provider error after acceptance whose record failed once, when the retry settles it', async () => {
    const run = await unrecorded(
      'unrec5xx',
      once(WRITES['record outcome'], 'error-before', 1),
      'longest',
      'error-after',
    );
    expect([run.outcome, run.again]).toMatchObject([{ status: 'unknown' }, { status: 'unknown' }]);
    expect([run.unknown, run.counts.get('unknown')]).toEqual([1, 1]);
  });

  it('counts an unrecorded outcome once when the retries run out and the failure path settles it', async () => {
    // The outcome is not written (twice), then every retry fails to claim until the retries run out.
    const record = once(WRITES['record outcome'], 'error-before', 2);
    let recordFaults = 0;
    const plan: FaultPlan = (index, request) => {
      const fault = record(index, request);
      if (fault !== 'pass') recordFaults += 1;
      return recordFaults === 2 && matches(WRITES.claim, request) ? 'error-before' : fault;
    };
    const run = await unrecorded('unrecx', plan, 'longest');
    expect(run.outcome).toEqual({ counted: 'unknown' });
    expect(run.delivered).toBe(1);
    expect([run.unknown, run.counts.get('unknown')]).toEqual([1, 1]);
  });

  it.each(['error-before', 'error-after'] as const)(
    'counts an unknown outcome once when its count fails after the retry settles it (%s)',
    async (fault) => {
      // The outcome is not written (twice); the retry settles it as unknown, and its count's write fails.
      const record = once(WRITES['record outcome'], 'error-before', 2);
      const counter = once(WRITES['step counter'], fault, 1);
      let recordFaults = 0;
      const plan: FaultPlan = (index, request) => {
        const recorded = record(index, request);
        if (recorded !== 'pass') recordFaults += 1;
        if (recorded !== 'pass' || recordFaults < 2) return recorded;
        return counter(index, request);
      };
      const run = await unrecorded(`unrecc${fault}`, plan, 'longest');
      expect([run.outcome, run.again]).toMatchObject([{ status: 'unknown' }, { status: 'unknown' }]);
      expect(run.delivered).toBe(1);
      expect([run.unknown, run.counts.get('unknown'), run.counts.get('sent')]).toEqual([1, 1, undefined]);
    },
  );

  it.each(['error-before', 'error-after'] as const)(
    'counts an unrecorded outcome once when the failure path settles it and its count fails (%s)',
    async (fault) => {
      // arrange: the outcome is not written (twice), every retry then fails to claim, and the failure
      // path's count fails once (its Retry calls it again)
      const userId = caseId('unrecxc');
      await world.customer(userId);
      const input = world.input(userId, 'email', { stepId: userId });
      const record = once(WRITES['record outcome'], 'error-before', 2);
      const counter = once(WRITES['step counter'], fault, 1);
      let recordFaults = 0;
      world.dbProxy.plan((index, request) => {
        const recorded = record(index, request);
        if (recorded !== 'pass') recordFaults += 1;
        if (recorded !== 'pass' || recordFaults < 2) return recorded;
        return matches(WRITES.claim, request) ? 'error-before' : counter(index, request);
      });
      const clock = virtualClock('2026-11-24T10:00:00Z');
      const counted: Counted[] = [];
      const count: CountMetric = (status) => counted.push(status);
      const retriers = compiledSendRetry(input.channel, input.onUnknown);
      const result = await runWithRetry(
        () => sendTask(world.deps(clock), input, count),
        retriers,
        clock,
        'longest',
      );
      expect(result.ok).toBe(false);
      const error = result.ok ? 'Error' : String((result.error as Error).name);
      // act: the failure path, its count failing; its Retry; then a duplicate invocation
      const exhausted = { ...input, exhausted: { error } };
      await expect(sendTask(world.deps(clock), exhausted, count)).rejects.toThrow();
      world.dbProxy.plan(() => 'pass');
      await sendTask(world.deps(clock), exhausted, count);
      await sendTask(world.deps(clock), exhausted, count);
      // assert
      expect((await world.delivered('email')).get(userId)).toBe(1);
      expect((await stepCounts(input)).get('unknown')).toBe(1);
      expect(counted.filter((s) => s === 'unknown')).toEqual(['unknown']);
    },
  );

  it('with onUnknown "retry", counts the unrecorded attempt once when the retry takes over and sends again', async () => {
    const run = await unrecorded(
      'unrecr',
      once(WRITES['record outcome'], 'error-before', 2),
      'longest',
      undefined,
      'retry',
    );
    expect([run.outcome, run.again]).toMatchObject([{ status: 'sent' }, { status: 'sent' }]);
    // At least once: the message whose outcome was lost, and the one sent again.
    expect(run.delivered).toBe(2);
    expect([run.unknown, run.counts.get('unknown'), run.counts.get('sent')]).toEqual([1, 1, 1]);
  });
});

describe('a permanent failure whose count fails', () => {
  it.each([
    ['error-before', 1],
    ['error-after', 1],
    ['error-before', 2],
    ['error-after', 2],
  ] as const)(
    'is counted once and takes the failure policy, sending nothing (%s ×%i)',
    async (fault, times) => {
      // arrange: a step whose template is for another channel (no retry renders it), its count's write failing
      const userId = caseId('permc');
      await world.customer(userId);
      const input = world.input(userId, 'email', { stepId: userId, template: 'sms' });
      world.dbProxy.plan(once(WRITES['step counter'], fault, times));
      const clock = virtualClock('2026-11-24T10:00:00Z');
      const counted: Counted[] = [];
      // act: the task as the state machine runs it, then a duplicate invocation
      const outcome = await runCounted(world, input, clock, 'shortest', counted);
      world.dbProxy.plan(() => 'pass');
      const again = await runCounted(world, input, clock, 'shortest', counted);
      // assert
      expect([outcome, again]).toEqual([
        { failed: ErrorName.TemplateFailed },
        { failed: ErrorName.TemplateFailed },
      ]);
      expect((await world.record(input)).status).toBe('failed');
      expect([...(await stepCounts(input))]).toEqual([['failed', 1]]);
      expect(counted).toEqual(['failed']);
      expect((await world.delivered('email')).get(userId) ?? 0).toBe(0);
    },
  );
});

describe('a push whose token results are counted while DynamoDB fails', () => {
  const PROFILE_TOKENS = { op: 'UpdateItem', table: 'profiles', marker: 'REMOVE' } as const;
  it.each([
    ['step counter', 'error-before', 1],
    ['step counter', 'error-after', 1],
    ['step counter', 'error-before', 2],
    ['step counter', 'error-after', 2],
    ['profile tokens', 'error-after', 1],
    ['profile tokens', 'error-before', 1],
  ] as const)('counts the dead token and the message once (%s, %s ×%i)', async (write, fault, times) => {
    // arrange: a customer with a live device and a dead one
    const userId = caseId('ptok');
    await world.customer(userId);
    await ingestEvent(ingestDeps(world.db).deps, {
      ...identify(userId, {}),
      context: { device: { token: `dead-${userId}`, type: 'android' } },
    });
    const input = world.input(userId, 'push', { stepId: userId });
    world.dbProxy.plan(
      once(write === 'step counter' ? WRITES['step counter'] : PROFILE_TOKENS, fault, times),
    );
    // act: the task as the state machine runs it, then a duplicate invocation
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const result = await runTask(input, clock, 'shortest');
    world.dbProxy.plan(() => 'pass');
    const again = await sendMessage(world.deps(clock), input);
    // assert
    expect([result, again]).toMatchObject([{ ok: true, value: { status: 'sent' } }, { status: 'sent' }]);
    expect((await world.delivered('push')).get(userId)).toBe(1);
    const rows = await new StatsRepository(world.db.doc, world.db.tables.stats).funnel(input.journeyId);
    const tokens = rows
      .filter((row) => row.stepId === input.stepId && row.metric.startsWith('pushToken'))
      .reduce((sum, row) => sum + row.count, 0);
    expect([tokens, (await stepCounts(input)).get('sent')]).toEqual([1, 1]);
  });
});

describe('a deferral whose count mark cannot be cleared at once', () => {
  const CLEAR_MARK = { op: 'UpdateItem', table: 'deliveries', marker: 'REMOVE #pending' } as const;
  it.each([
    ['clear mark', 'error-before'],
    ['clear mark', 'error-after'],
    ['step counter', 'error-before'],
    ['step counter', 'error-after'],
  ] as const)(
    'leaves no mark for the next visit to guess at, and counts once (%s, %s)',
    async (write, fault) => {
      // arrange: a send in quiet hours; the deferral's count or the clearing of its mark fails once
      const userId = caseId('defclr');
      await world.customer(userId);
      const input = world.input(userId, 'email', {
        stepId: userId,
        quietHours: { start: '00:00', end: '23:59' },
      });
      world.dbProxy.plan(once(write === 'clear mark' ? CLEAR_MARK : WRITES['step counter'], fault, 1));
      const clock = virtualClock('2026-11-24T10:00:00Z');
      // act: the task with its Retry, until it returns the deferral (its Wait would hold the enrollment for hours)
      const result = await runWithRetry(
        () => sendMessage(world.deps(clock), input),
        compiledSendRetry('email'),
        clock,
        'shortest',
      );
      world.dbProxy.plan(() => 'pass');
      // assert: hours later the guard could no longer tell whether a mark left now had landed
      expect(result).toMatchObject({ ok: true, value: { status: 'deferred' } });
      const record = await world.record(input);
      expect([record.status, record.countPending]).toEqual(['deferred', undefined]);
      const rows = await new StatsRepository(world.db.doc, world.db.tables.stats).funnel(input.journeyId);
      const deferred = rows.filter((row) => row.stepId === input.stepId && row.metric === 'deferred');
      expect(deferred.reduce((sum, row) => sum + row.count, 0)).toBe(1);
    },
  );
});
