import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { type AwaitDeps, awaitEvent, waitTimedOut } from '#functions/await-event/await.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { Journey } from '#shared/journey/schema.ts';
import { AwaitEventInput, WaitTimedOutInput } from '#shared/tasks/await-event.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { mockedClient } from '../../support/mocked-clients.ts';
import { LOCAL_BINDINGS } from '../offline/harness.ts';

const journey = Journey.parse({
  id: 'timeouts',
  name: 'Timeouts',
  trigger: { type: 'event', event: 'Cart Updated' },
  start: 'wait',
  steps: {
    wait: {
      type: 'waitForEvent',
      event: 'Order Completed',
      timeout: 'PT1H',
      onEvent: 'done',
      onTimeout: 'again',
    },
    again: {
      type: 'waitForEvent',
      event: 'Review Written',
      timeout: 'PT1H',
      onEvent: 'done',
      onTimeout: 'done',
    },
    done: { type: 'exit' },
  },
});

let db: LocalDynamo;
let deps: AwaitDeps;
beforeAll(async () => {
  db = await startDynalite('wait-timeout');
  mockClient(SFNClient).onAnyCommand().resolves({});
  const enrollments = new EnrollmentItems(db.doc, db.tables.enrollments);
  deps = {
    profiles: new ProfilesRepository(db.doc, db.tables.profiles, enrollments),
    enrollments,
    journeys: new RegistryRepository(db.doc, db.tables.journeys),
    stats: new StatsRepository(db.doc, db.tables.stats),
    sfn: mockedClient(SFNClient),
    now: () => new Date('2026-11-24T10:00:00Z'),
  };
});
afterAll(async () => db.stop());

/** The compiled journey on the offline runner with the real await-event function and tables; nothing resumes it. */
function run(userId: string) {
  const machine = new LocalStateMachine(compile(journey, LOCAL_BINDINGS), {
    timeScale: 0,
    handlers: {
      [LOCAL_BINDINGS.awaitEventFunctionArn]: async (input: unknown) => {
        const timedOut = WaitTimedOutInput.safeParse(input);
        if (timedOut.success) return waitTimedOut(deps, timedOut.data);
        return awaitEvent(deps, AwaitEventInput.parse(input));
      },
      // Only a step's failure path calls evaluate (to count the failure); no step fails here.
      [LOCAL_BINDINGS.evaluateFunctionArn]: async () => {
        throw new Error('evaluate is not expected to run in this journey');
      },
    },
  });
  return machine.start({
    v: CONTRACT_VERSION,
    journeyId: journey.id,
    journeyVersion: '1',
    enrollmentId: `e-${userId}`,
    userId,
    enrolledAt: '2026-11-24T10:00:00.000Z',
    trigger: {
      type: 'track',
      event: 'Cart Updated',
      userId,
      messageId: 'm-1',
      timestamp: '2026-11-24T10:00:00Z',
    },
    buckets: {},
  }).done;
}

describe('waitForEvent timeout: the waiter is removed when the wait times out', () => {
  it('removes each timed-out waiter and its count as the execution moves on', async () => {
    // act
    const outcome = await run('u-timeout');
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.visited).toStrictEqual(['wait', 'wait.timedOut', 'again', 'again.timedOut', 'done']);
    expect(await deps.enrollments.waitersOf('u-timeout', 'e-u-timeout')).toEqual([]);
    const state = await deps.profiles.get('u-timeout');
    expect(state.waitingFor['Order Completed'] ?? 0).toBe(0);
    expect(state.waitingFor['Review Written'] ?? 0).toBe(0);
  });

  it('takes the count back once when the removal is retried', async () => {
    // arrange: a registered waiter
    const input = {
      v: CONTRACT_VERSION,
      journeyId: journey.id,
      journeyVersion: '1',
      enrollmentId: 'e-retry',
      userId: 'u-retry',
      stepId: 'wait',
    };
    await awaitEvent(deps, {
      ...input,
      token: 'tk-retry',
      event: 'Order Completed',
      match: [],
      timeoutSeconds: 3600,
      startedAt: '2026-11-24T10:00:00Z',
      trigger: {},
    });
    // another step still waits for it
    await deps.profiles.countWaiting('u-retry', {
      event: 'Order Completed',
      enrollmentId: 'e-other',
      stepId: 'wait',
      token: 'tk-other',
    });
    // act
    const first = await waitTimedOut(deps, { ...input, op: 'timedOut', event: 'Order Completed' });
    const again = await waitTimedOut(deps, { ...input, op: 'timedOut', event: 'Order Completed' });
    // assert
    expect([first.removed, again.removed]).toEqual([true, false]);
    expect((await deps.profiles.get('u-retry')).waitingFor['Order Completed']).toBe(1);
  });
});
