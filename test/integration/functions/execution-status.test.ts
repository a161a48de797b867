import { readFileSync } from 'node:fs';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeEvent } from '#functions/_lib/eventbridge-event.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import {
  type EnrollmentOutcome,
  executionStatusChanged,
  outcomeRecorder,
} from '#functions/execution-status/status.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { CONTRACT_VERSION, EnrollmentInput } from '#shared/tasks.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { awaitDepsOf, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * The end of an execution, in the shape AWS documents for "Step Functions
 * Execution Status Change" events: waiters removed, the enrollment ended,
 * the outcome handed on once; a goal inside its window still converts.
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

function statusEvent(file: string, input: EnrollmentInput, raw: string) {
  const text = fixture(file)
    .replaceAll('ENROLLMENT_ID', input.enrollmentId)
    .replace('"INPUT"', JSON.stringify(raw));
  return EventBridgeEvent.parse(JSON.parse(text));
}

describe('execution-status: the end of an enrollment', () => {
  it('removes the waiter and the enrollment of a failed execution and hands on the outcome once', async () => {
    // arrange
    const { deps, input, raw } = await enrollAndWait('u-failed');
    const outcomes: EnrollmentOutcome[] = [];
    const status = {
      enrollments: deps.enrollments,
      profiles: deps.profiles,
      outcomes: outcomeRecorder({ recordOutcome: async (o: EnrollmentOutcome) => void outcomes.push(o) }),
    };
    const event = statusEvent('sfn-execution-status-failed.json', input, raw);
    // act
    const first = await executionStatusChanged(status, event.detail);
    const again = await executionStatusChanged(status, event.detail);
    // assert
    expect(first).toMatchObject({ status: 'ended', waitersRemoved: 1 });
    expect(again.status).toBe('ignored');
    expect(outcomes).toEqual([
      expect.objectContaining({
        status: 'FAILED',
        error: 'States.TaskFailed',
        journeyId: 'cart',
        converted: false,
      }),
    ]);
    expect(await deps.enrollments.waitersOf('u-failed', input.enrollmentId)).toEqual([]);
    expect((await deps.profiles.get('u-failed')).waitingFor['Order Completed']).toBe(0);
    // the goal window (3 days) is open: the ended enrollment stays for a late goal
    expect(await deps.enrollments.enrollment('u-failed', input.enrollmentId)).toMatchObject({
      endedAt: '2026-11-24T10:05:00.000Z',
    });
  });

  it('counts a goal reached after the last step, inside the window, as a conversion', async () => {
    // arrange: the execution succeeded; the order comes a day later
    const { input, raw } = await enrollAndWait('u-late');
    const { deps: later, sfn } = ingestDeps(db, () => new Date('2026-11-25T10:00:00Z'));
    const status = { enrollments: later.enrollments, profiles: later.profiles, outcomes: {} };
    await executionStatusChanged(
      status,
      statusEvent('sfn-execution-status-succeeded.json', input, raw).detail,
    );
    // act
    const result = await ingestEvent(later, track('u-late', 'Order Completed', {}, '2026-11-25T09:59:00Z'));
    // assert
    expect(result).toMatchObject({ status: 'recorded', finished: [input.enrollmentId] });
    expect(sfn.commandCalls(StopExecutionCommand)).toEqual([]);
    const funnel = await later.stats.funnel('cart');
    expect(funnel.find((r) => r.metric === 'converted')?.count).toBe(1);
  });

  it('keeps the cooldown after the enrollment item is gone', async () => {
    const { deps, input, raw } = await enrollAndWait('u-cool');
    await executionStatusChanged(
      { enrollments: deps.enrollments, profiles: deps.profiles, outcomes: {} },
      statusEvent('sfn-execution-status-succeeded.json', input, raw).detail,
    );
    const again = await ingestEvent(deps, track('u-cool', 'Cart Updated'));
    expect(again).toMatchObject({ status: 'recorded', enrolled: [] });
    expect(await deps.enrollments.enrollment('u-cool', input.enrollmentId)).toMatchObject({
      endedAt: '2026-11-24T11:00:00.000Z',
    });
  });

  it('ignores a status change that is not an end, or whose input was left out', async () => {
    const { deps, input, raw } = await enrollAndWait('u-running');
    const status = { enrollments: deps.enrollments, profiles: deps.profiles, outcomes: {} };
    const event = statusEvent('sfn-execution-status-succeeded.json', input, raw);
    const detail = EventBridgeEvent.shape.detail.parse(event.detail);
    const running = await executionStatusChanged(status, {
      ...Object(detail),
      status: 'RUNNING',
      stopDate: null,
    });
    const noInput = await executionStatusChanged(status, {
      ...Object(detail),
      input: null,
      inputDetails: { included: false },
    });
    expect([running.status, noInput.status]).toEqual(['ignored', 'ignored']);
    expect(await deps.enrollments.waitersOf('u-running', input.enrollmentId)).toHaveLength(1);
  });
});
