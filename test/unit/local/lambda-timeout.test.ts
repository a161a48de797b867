import { afterEach, describe, expect, it } from 'vitest';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '#functions/_lib/manifest.ts';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import { functionArn, invoker, type RealTimers } from '#infra/local/runtime/lambdas.ts';
import {
  LocalStateMachine,
  type StateMachineDefinition,
} from '#infra/local/services/stepfunctions/runner/runner.ts';
import { LAMBDA_CRASH_ERRORS } from '#shared/errors.ts';

/**
 * A local handler that hangs is ended as Lambda ends it: after the function's
 * timeout in real time, the invocation fails with `Sandbox.Timedout` and the
 * caller's Retry or Catch runs. Real time is injected: the tests fire it.
 */

const T0 = Date.parse('2026-03-02T10:00:00Z');

afterEach(() => resetClock());

/** Timers the test fires by hand: each records its delay, and whether it was cancelled. */
function manualTimers() {
  const set: { ms: number; fire: () => void; cancelled: boolean }[] = [];
  const timers: RealTimers = {
    after: (ms, fire) => {
      const timer = { ms, fire, cancelled: false };
      set.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
  };
  return { timers, set };
}

const never = () => new Promise<never>(() => {});

describe('a local invocation past its function’s timeout', () => {
  it('fails with Sandbox.Timedout when the real-time timer of the manifest’s timeout fires', async () => {
    // arrange: a handler that never answers; journey time stands still
    setClock(() => new Date(T0));
    const { timers, set } = manualTimers();
    const invoke = invoker('segment-entry', never, timers);
    // act
    const outcome = invoke({}).then(
      () => 'answered',
      (error: unknown) => error,
    );
    for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
    const before = await Promise.race([outcome, Promise.resolve('pending')]);
    set[0]?.fire();
    // assert: pending until the timer fires, then the error Step Functions reports for a Lambda timeout
    expect(before).toBe('pending');
    expect(set.map((t) => t.ms)).toEqual([60_000]);
    expect(await outcome).toMatchObject({
      name: 'Sandbox.Timedout',
      message: 'Task timed out after 60.00 seconds',
    });
  });

  it('answers as before within the timeout, and cancels its timer', async () => {
    // arrange
    setClock(() => new Date(T0));
    const { timers, set } = manualTimers();
    const invoke = invoker('evaluate', async (event) => ({ echoed: event }), timers);
    // act
    const answer = await invoke({ a: 1 });
    // assert
    expect(answer).toEqual({ echoed: { a: 1 } });
    expect(set).toMatchObject([{ ms: DEFAULT_TIMEOUT_SECONDS * 1000, cancelled: true }]);
  });

  it('keeps a handler’s own error, thrown before it returns a promise', async () => {
    // arrange
    setClock(() => new Date(T0));
    const { timers, set } = manualTimers();
    const invoke = invoker(
      'evaluate',
      () => {
        throw new TypeError('bad input');
      },
      timers,
    );
    // act / assert
    await expect(invoke({})).rejects.toThrow(TypeError);
    expect(set[0]?.cancelled).toBe(true);
  });

  it('runs the Task’s retry on a crash, then its catch', async () => {
    // arrange: a Task on a hanging function, retried once on a crash like a send, then caught;
    // real time runs out as soon as each invocation starts
    const clock = new JourneyClock(T0);
    setClock(() => clock.now());
    const timeouts: number[] = [];
    const invoke = invoker('send-message', never, {
      after: (ms, fire) => {
        timeouts.push(ms);
        queueMicrotask(fire);
        return () => {};
      },
    });
    const resource = functionArn('send-message');
    const definition: StateMachineDefinition = {
      StartAt: 'Send',
      States: {
        Send: {
          Type: 'Task',
          Resource: resource,
          Retry: [{ ErrorEquals: [...LAMBDA_CRASH_ERRORS], IntervalSeconds: 60, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Failed' }],
          End: true,
        },
        Failed: { Type: 'Pass', End: true },
      },
    };
    const machine = new LocalStateMachine(definition, {
      time: runnerTime(clock),
      handlers: { [resource]: (input) => invoke(input) },
    });
    // act
    const execution = machine.start({ stepId: 'email' });
    await clock.advanceTo(T0 + 120_000);
    const outcome = await execution.done;
    // assert: two invocations (the retry), each timed out, then the catch with Lambda's cause
    expect(timeouts).toEqual([30_000, 30_000]);
    expect(outcome.visited).toStrictEqual(['Send', 'Failed']);
    expect(outcome.output).toMatchObject({ stepId: 'email', failure: { Error: 'Sandbox.Timedout' } });
    expect(
      JSON.parse(String((outcome.output as { failure: { Cause: string } }).failure.Cause)),
    ).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 30.00 seconds',
    });
  });
});
