import { readFileSync } from 'node:fs';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { EventBridgeEvent } from '#functions/_lib/eventbridge-event.ts';
import { OutcomeWaiters } from '#functions/_lib/outcome-waiters.ts';
import { type StatRow, StatsRepository } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { executionStatusChanged } from '#functions/execution-status/status.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { outcomeMetric } from '#shared/stats/keys.ts';
import { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { DynamoCalls } from '../../support/dynamo-calls.ts';
import { AB_SPLIT_THEN_EXIT } from '../../support/journey-steps.ts';
import { awaitDepsOf, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * The end of an execution, in the shape AWS documents for "Step Functions
 * Execution Status Change" events: waiters removed, the enrollment ended,
 * the outcome counted once; a goal inside its window still converts, for its variant.
 */

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/aws/${name}`, import.meta.url), 'utf8');

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('status');
  await registerJourney(db, {
    id: 'cart',
    name: 'Cart',
    trigger: { type: 'event', event: 'Cart Updated' },
    reentry: { mode: 'after', cooldown: 'P7D' },
    goal: { event: 'Order Completed', within: 'P3D', exit: true },
    start: 'wait',
    steps: {
      wait: {
        type: 'waitForEvent',
        event: 'Order Completed',
        timeout: 'PT1H',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  });
});
afterAll(async () => db.stop());
afterEach(() => resetClock());

/** Enrolls a customer and registers the journey's waiting step, as the execution would. */
async function enrollAndWait(userId: string) {
  const { deps, sfn } = ingestDeps(db);
  const trigger = track(userId, 'Cart Updated');
  await ingestEvent(deps, trigger);
  const start = sfn.calls()[0]?.args[0].input as { input?: string } | undefined;
  const input = EnrollmentInput.parse(JSON.parse(String(start?.input)));
  await awaitEvent(awaitDepsOf(db, deps), {
    v: CONTRACT_VERSION,
    journeyId: 'cart',
    journeyVersion: '1',
    enrollmentId: input.enrollmentId,
    userId,
    stepId: 'wait',
    token: `token-${userId}`,
    event: 'Order Completed',
    match: [],
    timeoutSeconds: 3600,
    startedAt: '2026-11-24T10:00:00Z',
    trigger,
  });
  return { deps, input, raw: String(start?.input) };
}

/** The deps of the status handler, counting into the stats table. */
function statusDeps(deps: ReturnType<typeof ingestDeps>['deps']) {
  return { enrollments: deps.enrollments, profiles: deps.profiles, stats: deps.stats };
}

/** One counter of a journey (journey level unless a step and variant are named). */
async function count(journeyId: string, metric: string, stepId?: string, variant?: string) {
  const rows: StatRow[] = await new StatsRepository(db.doc, db.tables.stats).funnel(journeyId);
  return rows.find((r) => r.metric === metric && r.stepId === stepId && r.variant === variant)?.count ?? 0;
}

function statusEvent(file: string, input: EnrollmentInput, raw: string) {
  const text = fixture(file)
    .replaceAll('ENROLLMENT_ID', input.enrollmentId)
    .replace('"INPUT"', JSON.stringify(raw));
  return EventBridgeEvent.parse(JSON.parse(text));
}

describe('execution-status: the end of an enrollment', () => {
  it('removes the waiter and the enrollment of a failed execution and counts the outcome once', async () => {
    // arrange
    const { deps, input, raw } = await enrollAndWait('u-failed');
    const failedBefore = await count('cart', outcomeMetric('failed'));
    const event = statusEvent('sfn-execution-status-failed.json', input, raw);
    // act
    const first = await executionStatusChanged(statusDeps(deps), event.detail);
    const again = await executionStatusChanged(statusDeps(deps), event.detail);
    // assert
    expect(first).toMatchObject({ status: 'ended', waitersRemoved: 1 });
    expect(first.status === 'ended' ? first.outcome : undefined).toMatchObject({
      status: 'FAILED',
      error: 'States.TaskFailed',
      journeyId: 'cart',
      converted: false,
    });
    expect(again.status).toBe('ignored');
    expect((await count('cart', outcomeMetric('failed'))) - failedBefore).toBe(1);
    expect(await deps.enrollments.waitersOf('u-failed', input.enrollmentId)).toEqual([]);
    expect((await deps.profiles.get('u-failed')).waitingFor['Order Completed'] ?? 0).toBe(0);
    // the goal window (3 days) is open: the ended enrollment stays for a late goal
    expect(await deps.enrollments.enrollment('u-failed', input.enrollmentId)).toMatchObject({
      endedAt: '2026-11-24T10:05:00.000Z',
    });
  });

  it('counts a goal reached after the last step, inside the window, as a conversion', async () => {
    // arrange: the execution succeeded; the order comes a day later
    const { input, raw } = await enrollAndWait('u-late');
    const convertedBefore = await count('cart', 'converted');
    const { deps: later, sfn } = ingestDeps(db, () => new Date('2026-11-25T10:00:00Z'));
    await executionStatusChanged(
      statusDeps(later),
      statusEvent('sfn-execution-status-succeeded.json', input, raw).detail,
    );
    // act
    const result = await ingestEvent(later, track('u-late', 'Order Completed', {}, '2026-11-25T09:59:00Z'));
    // assert
    expect(result).toMatchObject({ status: 'recorded', finished: [input.enrollmentId] });
    expect(sfn.commandCalls(StopExecutionCommand)).toEqual([]);
    expect((await count('cart', 'converted')) - convertedBefore).toBe(1);
  });

  it('counts an execution a goal stopped as reached goal, not as aborted, and converts once', async () => {
    // arrange
    const { deps, input, raw } = await enrollAndWait('u-stop');
    const before = {
      goal: await count('cart', outcomeMetric('goal')),
      aborted: await count('cart', outcomeMetric('aborted')),
      converted: await count('cart', 'converted'),
    };
    const order = track('u-stop', 'Order Completed');
    // act: the goal event is delivered twice, then the stopped execution reports ABORTED twice
    await ingestEvent(deps, order);
    await ingestEvent(deps, order);
    const event = statusEvent('sfn-execution-status-succeeded.json', input, raw);
    const aborted = { ...Object(EventBridgeEvent.shape.detail.parse(event.detail)), status: 'ABORTED' };
    await executionStatusChanged(statusDeps(deps), aborted);
    await executionStatusChanged(statusDeps(deps), aborted);
    // assert
    expect({
      goal: (await count('cart', outcomeMetric('goal'))) - before.goal,
      aborted: (await count('cart', outcomeMetric('aborted'))) - before.aborted,
      converted: (await count('cart', 'converted')) - before.converted,
    }).toEqual({ goal: 1, aborted: 0, converted: 1 });
    expect(await deps.enrollments.enrollment('u-stop', input.enrollmentId)).toBeUndefined();
  });

  it('attributes a goal after the last step to the variant and the last message step, once', async () => {
    // arrange: an A/B journey whose execution completes before the goal
    await registerJourney(db, {
      id: 'ab-late',
      name: 'A/B late goal',
      trigger: { type: 'event', event: 'Signed Up' },
      reentry: { mode: 'once' },
      goal: { event: 'Order Completed', within: 'P3D', exit: true, value: 'event.properties.total' },
      ...AB_SPLIT_THEN_EXIT,
    });
    const { deps, sfn } = ingestDeps(db);
    await ingestEvent(deps, track('u-ab', 'Signed Up'));
    const raw = String((sfn.calls()[0]?.args[0].input as { input?: string } | undefined)?.input);
    const input = EnrollmentInput.parse(JSON.parse(raw));
    const { variant } = (await deps.enrollments.enrollment('u-ab', input.enrollmentId))?.variants?.[0] ?? {};
    // what send-message records when it sends the enrollment's message step
    await deps.enrollments.markSent('u-ab', input.enrollmentId, 'email-1');
    const succeeded = statusEvent('sfn-execution-status-succeeded.json', input, raw).detail;
    await executionStatusChanged(statusDeps(deps), succeeded);
    await executionStatusChanged(statusDeps(deps), succeeded);
    const { deps: nextDay, sfn: nextSfn } = ingestDeps(db, () => new Date('2026-11-25T10:00:00Z'));
    const order = track('u-ab', 'Order Completed', { total: 30 }, '2026-11-25T09:59:00Z');
    // act: the goal a day later, delivered twice
    await ingestEvent(nextDay, order);
    await ingestEvent(nextDay, order);
    // assert
    expect(variant === 'a' || variant === 'b').toBe(true);
    expect(nextSfn.commandCalls(StopExecutionCommand)).toEqual([]);
    expect(await count('ab-late', outcomeMetric('completed'))).toBe(1);
    expect(await count('ab-late', outcomeMetric('completed'), 'ab', variant)).toBe(1);
    expect(await count('ab-late', outcomeMetric('goal'))).toBe(0);
    expect(await count('ab-late', 'converted')).toBe(1);
    expect(await count('ab-late', 'converted', 'ab', variant)).toBe(1);
    expect(await count('ab-late', 'converted', 'email-1')).toBe(1);
    const rows = await new StatsRepository(db.doc, db.tables.stats).funnel('ab-late');
    expect(rows.find((r) => r.metric === 'converted' && r.stepId === undefined)?.sum).toBe(30);
    // converted after its end: nothing is left to wait for
    expect(await nextDay.enrollments.enrollment('u-ab', input.enrollmentId)).toBeUndefined();
  });

  it('does not convert a goal after the window closed', async () => {
    // arrange: the execution ends; the goal comes after its 3 days
    const { deps, input, raw } = await enrollAndWait('u-too-late');
    await executionStatusChanged(
      statusDeps(deps),
      statusEvent('sfn-execution-status-succeeded.json', input, raw).detail,
    );
    const before = await count('cart', 'converted');
    const { deps: later } = ingestDeps(db, () => new Date('2026-11-28T10:00:00Z'));
    // act
    const result = await ingestEvent(
      later,
      track('u-too-late', 'Order Completed', {}, '2026-11-28T09:59:00Z'),
    );
    // assert
    expect(result).toMatchObject({ finished: [] });
    expect((await count('cart', 'converted')) - before).toBe(0);
  });

  it("removes the outcome waiters of a message step whose execution a goal stopped, and no other enrollment's", async () => {
    // arrange: an SMS of the enrollment waits for its delivery receipt (a day's window), as does one of another enrollment
    const { deps, input, raw } = await enrollAndWait('u-outcome');
    const outcomes = new OutcomeWaiters(db.doc, db.tables.enrollments);
    const waiter = (enrollmentId: string, messageId: string) => ({
      messageId,
      enrollmentId,
      journeyId: 'cart',
      stepId: 'sms',
      token: `token-${messageId}`,
      outcomes: ['delivered' as const],
      until: '2026-11-25T10:00:00.000Z',
    });
    await outcomes.put('u-outcome', waiter(input.enrollmentId, 'sms-stopped'));
    await outcomes.put('u-outcome', waiter('another-enrollment', 'sms-other'));
    await ingestEvent(deps, track('u-outcome', 'Order Completed'));
    const event = statusEvent('sfn-execution-status-succeeded.json', input, raw);
    const aborted = { ...Object(EventBridgeEvent.shape.detail.parse(event.detail)), status: 'ABORTED' };
    // act
    await executionStatusChanged(statusDeps(deps), aborted);
    // assert: the stopped step's waiter is gone now, not a week after its window; the other one waits on
    expect(await outcomes.get('u-outcome', 'sms-stopped')).toBeUndefined();
    expect(await outcomes.get('u-outcome', 'sms-other')).toMatchObject({
      enrollmentId: 'another-enrollment',
    });
  });

  it('keeps the cooldown after the enrollment item is gone', async () => {
    const { deps, input, raw } = await enrollAndWait('u-cool');
    await executionStatusChanged(
      statusDeps(deps),
      statusEvent('sfn-execution-status-succeeded.json', input, raw).detail,
    );
    const again = await ingestEvent(deps, track('u-cool', 'Cart Updated'));
    expect(again).toMatchObject({ status: 'recorded', enrolled: [] });
    expect(await deps.enrollments.enrollment('u-cool', input.enrollmentId)).toMatchObject({
      endedAt: '2026-11-24T11:00:00.000Z',
    });
  });

  it("dates an end the event gives no stop date by the business clock, not the machine's", async () => {
    // arrange: journey time a year ahead of the wall clock, as in a local run moved forward
    const { deps, input, raw } = await enrollAndWait('u-nostop');
    setClock(() => new Date('2027-12-01T08:00:00.000Z'));
    const event = statusEvent('sfn-execution-status-failed.json', input, raw);
    const detail = EventBridgeEvent.shape.detail.parse(event.detail);
    // act
    const ended = await executionStatusChanged(statusDeps(deps), { ...Object(detail), stopDate: null });
    // assert
    expect(ended.status === 'ended' ? ended.outcome.endedAt : undefined).toBe('2027-12-01T08:00:00.000Z');
  });

  it('finds every step the enrollment leaves waiting, for an event or an outcome, with one query', async () => {
    // arrange: the enrollment waits for an event and for a message's outcome; another enrollment of the
    // customer waits too, and the customer has a re-entry record
    const { deps, input, raw } = await enrollAndWait('u-one-query');
    const outcomes = new OutcomeWaiters(db.doc, db.tables.enrollments);
    const outcomeWaiter = (messageId: string, enrollmentId: string) => ({
      messageId,
      enrollmentId,
      journeyId: 'cart',
      stepId: 'mail',
      token: `token-${messageId}`,
      outcomes: ['opened' as const],
      until: '2026-11-25T10:00:00.000Z',
    });
    await outcomes.put('u-one-query', outcomeWaiter('m-ended', input.enrollmentId));
    await outcomes.put('u-one-query', outcomeWaiter('m-other', 'e-other'));
    const calls = new DynamoCalls();
    calls.watch(db.doc);
    // act
    const ended = await executionStatusChanged(
      statusDeps(deps),
      statusEvent('sfn-execution-status-succeeded.json', input, raw).detail,
    );
    // assert: one query found both; the other enrollment's waiter stays
    expect(ended).toMatchObject({ status: 'ended', waitersRemoved: 1 });
    expect(calls.of()['enrollments Query']).toBe(1);
    expect(await outcomes.get('u-one-query', 'm-ended')).toBeUndefined();
    expect(await outcomes.get('u-one-query', 'm-other')).toMatchObject({ enrollmentId: 'e-other' });
    expect(await deps.enrollments.waitersOf('u-one-query', input.enrollmentId)).toEqual([]);
  });

  it('ignores a status change that is not an end', async () => {
    const { deps, input, raw } = await enrollAndWait('u-running');
    const status = statusDeps(deps);
    const event = statusEvent('sfn-execution-status-succeeded.json', input, raw);
    const detail = EventBridgeEvent.shape.detail.parse(event.detail);
    const running = await executionStatusChanged(status, {
      ...Object(detail),
      status: 'RUNNING',
      stopDate: null,
    });
    expect(running.status).toBe('ignored');
    expect(await deps.enrollments.waitersOf('u-running', input.enrollmentId)).toHaveLength(1);
  });

  it('ends an enrollment whose event left the input out (input and output past 248 KB), reading it from the execution', async () => {
    // arrange: AWS sends the end of a large execution without its input
    const { deps, input, raw } = await enrollAndWait('u-large');
    const completedBefore = await count('cart', outcomeMetric('completed'));
    const event = statusEvent('sfn-execution-status-succeeded.json', input, raw);
    const detail = EventBridgeEvent.shape.detail.parse(event.detail);
    const described: string[] = [];
    const status = {
      ...statusDeps(deps),
      describeExecution: async (arn: string) => {
        described.push(arn);
        return { input: raw, output: '{}' };
      },
    };
    // act
    const ended = await executionStatusChanged(status, {
      ...Object(detail),
      input: null,
      inputDetails: { included: false },
      output: null,
      outputDetails: { included: false },
    });
    // assert: the execution was asked, the waiter and the enrollment are gone, the outcome counted
    expect(described).toEqual([Object(detail).executionArn]);
    expect(ended).toMatchObject({ status: 'ended', waitersRemoved: 1 });
    expect((await count('cart', outcomeMetric('completed'))) - completedBefore).toBe(1);
    expect(await deps.enrollments.waitersOf('u-large', input.enrollmentId)).toEqual([]);
  });

  it('counts an execution that a failed step ended as stepFailed, from its output or, left out, from the execution', async () => {
    // arrange: SUCCEEDED, with the exit the failure policy records (compile/failure.ts)
    const exit = JSON.stringify({
      exit: { stepId: 'wait', reason: 'step failed', error: 'Journeys.ProfileValue' },
      failure: { Error: 'Journeys.ProfileValue', Cause: 'no value' },
    });
    const before = {
      stepFailed: await count('cart', outcomeMetric('stepFailed')),
      completed: await count('cart', outcomeMetric('completed')),
    };
    const inEvent = await enrollAndWait('u-step-failed');
    const leftOut = await enrollAndWait('u-step-failed-large');
    const detailOf = (e: typeof inEvent) =>
      Object(
        EventBridgeEvent.shape.detail.parse(
          statusEvent('sfn-execution-status-succeeded.json', e.input, e.raw).detail,
        ),
      );
    // act
    const first = await executionStatusChanged(statusDeps(inEvent.deps), {
      ...detailOf(inEvent),
      output: exit,
    });
    const second = await executionStatusChanged(
      { ...statusDeps(leftOut.deps), describeExecution: async () => ({ input: leftOut.raw, output: exit }) },
      {
        ...detailOf(leftOut),
        input: null,
        inputDetails: { included: false },
        output: null,
        outputDetails: { included: false },
      },
    );
    // assert
    expect([first, second].map((r) => (r.status === 'ended' ? r.outcome.stepFailed : r.status))).toEqual([
      'wait',
      'wait',
    ]);
    expect({
      stepFailed: (await count('cart', outcomeMetric('stepFailed'))) - before.stepFailed,
      completed: (await count('cart', outcomeMetric('completed'))) - before.completed,
    }).toStrictEqual({ stepFailed: 2, completed: 0 });
  });
});
