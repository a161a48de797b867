import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_WAITING_STEPS } from '#functions/_lib/profile-waiting.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { executionStatusChanged } from '#functions/execution-status/status.ts';
import { type IngestDeps, ingestEvent } from '#functions/ingest/ingest.ts';
import type { AwaitEventInput } from '#shared/tasks/await-event.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import type { Fault, FaultProxy } from '../../support/fault-proxy.ts';
import { faultyDynamo } from '../../support/faulty-dynamo.ts';
import { awaitDepsOf, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * The profile's summary of steps waiting for an event (which ingest reads
 * instead of the waiter items) under a fault at its own write: the write
 * fails before it lands or lands and its answer is lost, and the handler is
 * retried as Step Functions, Lambda and EventBridge do. Whatever fails, a
 * step still waiting is looked for when its event arrives, and a step no
 * longer waiting stops costing a lookup.
 */

let db: LocalDynamo;
let proxy: FaultProxy;
/** The profiles table reached through the fault proxy (one attempt per call). */
let faultyProfiles: ProfilesRepository;

beforeAll(async () => {
  db = await startDynalite('waiting-faults');
  const faulty = await faultyDynamo(db);
  proxy = faulty.proxy;
  const { deps } = ingestDeps(db);
  faultyProfiles = new ProfilesRepository(faulty.doc, db.tables.profiles, deps.enrollments);
  await registerJourney(db, {
    id: 'order-wait',
    name: 'Order wait',
    trigger: { type: 'event', event: 'Checkout Started' },
    reentry: { mode: 'always' },
    start: 'wait',
    steps: {
      wait: {
        type: 'waitForEvent',
        event: 'Order Completed',
        timeout: 'P1D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  });
});
afterAll(async () => {
  await proxy.stop();
  await db.stop();
});
beforeEach(() => proxy.plan(() => 'pass'));

/** Faults every write to the profiles table (`times` of them, or all), passes everything else. */
function faultProfileWrites(fault: Fault, times = Number.POSITIVE_INFINITY) {
  let left = times;
  proxy.plan((_index, request) => {
    if (left === 0 || !request.target.endsWith('.UpdateItem') || !request.body.includes(db.tables.profiles))
      return 'pass';
    left -= 1;
    return fault;
  });
}

function waitInput(userId: string, enrollmentId: string): AwaitEventInput {
  return {
    v: CONTRACT_VERSION,
    journeyId: 'order-wait',
    journeyVersion: '1',
    enrollmentId,
    userId,
    stepId: 'wait',
    token: `token-${enrollmentId}`,
    event: 'Order Completed',
    match: [],
    timeoutSeconds: 86_400,
    startedAt: '2026-11-24T09:00:00Z',
    trigger: track(userId, 'Checkout Started', {}, '2026-11-24T09:00:00Z'),
  };
}

/** The end of an enrollment's execution, as Step Functions reports it. */
function ended(userId: string, enrollmentId: string) {
  const input = {
    v: CONTRACT_VERSION,
    journeyId: 'order-wait',
    journeyVersion: '1',
    enrollmentId,
    userId,
    enrolledAt: '2026-11-24T09:00:00Z',
    trigger: { type: 'segment', timestamp: '2026-11-24T09:00:00Z' },
    buckets: {},
  };
  return {
    executionArn: `arn:aws:states:eu-west-1:123456789012:execution:journey-order-wait:${enrollmentId}`,
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:journey-order-wait',
    name: enrollmentId,
    status: 'FAILED',
    startDate: Date.parse('2026-11-24T09:00:00Z'),
    stopDate: Date.parse('2026-11-24T09:10:00Z'),
    input: JSON.stringify(input),
    inputDetails: { included: true },
  };
}

function statusDeps(deps: IngestDeps, profiles: ProfilesRepository = deps.profiles) {
  return { enrollments: deps.enrollments, profiles, stats: deps.stats };
}

describe('the summary of waiting steps under faults', () => {
  it.each(['error-before', 'error-after'] as const)(
    'a step whose count failed through every retry leaves another step waiting for the same event looked for (%s)',
    async (fault) => {
      // arrange: step A's count fails on every attempt (its task fails), then step B starts waiting
      const userId = `wf-lost-${fault}`;
      const { deps, sfn } = ingestDeps(db);
      await ingestEvent(deps, track(userId, 'Page Viewed', {}, '2026-11-24T08:00:00Z'));
      const faulty = { ...awaitDepsOf(db, deps), profiles: faultyProfiles };
      faultProfileWrites(fault);
      for (let attempt = 0; attempt < 3; attempt++)
        await expect(awaitEvent(faulty, waitInput(userId, `a-${userId}`))).rejects.toThrow();
      proxy.plan(() => 'pass');
      await awaitEvent(awaitDepsOf(db, deps), waitInput(userId, `b-${userId}`));
      // act: A's execution ends (its task failed), then the awaited event arrives
      await executionStatusChanged(statusDeps(deps), ended(userId, `a-${userId}`));
      await ingestEvent(deps, track(userId, 'Order Completed', {}, '2026-11-24T09:30:00Z'));
      // assert: B is resumed, and then nobody waits (one more event of the name may look once)
      const resumed = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken);
      expect(resumed).toContain(`token-b-${userId}`);
      await ingestEvent(deps, track(userId, 'Order Completed', {}, '2026-11-24T09:31:00Z'));
      expect((await deps.profiles.get(userId)).waitingFor['Order Completed'] ?? 0).toBe(0);
    },
  );

  it.each(['error-before', 'error-after'] as const)(
    'a step that stopped waiting, its summary write failed and retried, costs no lookup for long (%s)',
    async (fault) => {
      // arrange: a waiting step whose execution ends; taking it out of the summary fails once, the end is delivered again
      const userId = `wf-drift-${fault}`;
      const { deps } = ingestDeps(db);
      await ingestEvent(deps, track(userId, 'Page Viewed', {}, '2026-11-24T08:00:00Z'));
      await awaitEvent(awaitDepsOf(db, deps), waitInput(userId, `a-${userId}`));
      faultProfileWrites(fault, 1);
      await expect(
        executionStatusChanged(statusDeps(deps, faultyProfiles), ended(userId, `a-${userId}`)),
      ).rejects.toThrow();
      proxy.plan(() => 'pass');
      await executionStatusChanged(statusDeps(deps, faultyProfiles), ended(userId, `a-${userId}`));
      // act: the awaited event arrives three times, with nobody waiting for it
      await ingestEvent(deps, track(userId, 'Order Completed', {}, '2026-11-24T09:30:00Z'));
      await ingestEvent(deps, track(userId, 'Order Completed', {}, '2026-11-24T09:31:00Z'));
      // assert: after at most one lookup, the summary says nobody waits
      expect((await deps.profiles.get(userId)).waitingFor['Order Completed'] ?? 0).toBe(0);
    },
  );
});

describe('the summary of waiting steps at its bounds', () => {
  it('looks for every step when more wait for one event than the summary keeps digests of', async () => {
    // arrange: one more step than the summary keeps
    const userId = 'wf-many';
    const { deps, sfn } = ingestDeps(db);
    await ingestEvent(deps, track(userId, 'Page Viewed', {}, '2026-11-24T08:00:00Z'));
    const ids = Array.from({ length: MAX_WAITING_STEPS + 1 }, (_, i) => `many-${i}`);
    for (const id of ids) await awaitEvent(awaitDepsOf(db, deps), waitInput(userId, id));
    // act: the first step's execution ends, then the awaited event arrives
    await executionStatusChanged(statusDeps(deps), ended(userId, 'many-0'));
    await ingestEvent(deps, track(userId, 'Order Completed', {}, '2026-11-24T09:30:00Z'));
    // assert: every other step resumed, and nobody waits any more
    const resumed = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken);
    expect(resumed.sort()).toEqual(
      ids
        .slice(1)
        .map((id) => `token-${id}`)
        .sort(),
    );
    await ingestEvent(deps, track(userId, 'Order Completed', {}, '2026-11-24T09:31:00Z'));
    const item = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
    expect(Object.keys(item.Item ?? {}).filter((k) => /^w[sfo]:/.test(k))).toEqual([]);
  });

  it('still looks for a step the profile counted as a number, and drops the number once none is left', async () => {
    // arrange: a profile and a waiter written before the summary kept digests
    const userId = 'wf-number';
    const { deps, sfn } = ingestDeps(db);
    await ingestEvent(deps, track(userId, 'Page Viewed', {}, '2026-11-24T08:00:00Z'));
    const input = waitInput(userId, 'number-a');
    const { timeoutSeconds: _t, v: _v, userId: _u, journeyVersion, trigger: _tr, ...rest } = input;
    await deps.enrollments.putWaiter(userId, {
      ...rest,
      version: journeyVersion,
      expiresAt: '2026-11-25T09:00:00.000Z',
    });
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tables.profiles,
        Key: { userId },
        UpdateExpression: 'SET #wf = :one',
        ExpressionAttributeNames: { '#wf': 'wf:Order Completed' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    // act: the awaited event, then one more of the name
    await ingestEvent(deps, track(userId, 'Order Completed', {}, '2026-11-24T09:30:00Z'));
    const first = sfn.commandCalls(SendTaskSuccessCommand).length;
    await ingestEvent(deps, track(userId, 'Order Completed', {}, '2026-11-24T09:31:00Z'));
    // assert: the step was looked for and resumed, and the number is gone once its waiter is
    expect(first).toBe(1);
    expect((await deps.profiles.get(userId)).waitingFor['Order Completed'] ?? 0).toBe(0);
  });
});
