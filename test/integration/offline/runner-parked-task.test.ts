import { describe, expect, it } from 'vitest';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import {
  LocalStateMachine,
  type StateMachineDefinition,
} from '#infra/local/services/stepfunctions/runner/runner.ts';

/**
 * A Task whose local handler waits on journey time (a stand-in endpoint that
 * is slow to answer) lifts the execution's hold while it waits, and gets it
 * back when the Task ends — by its answer or by its TimeoutSeconds.
 */

const SLOW = 'arn:aws:states:::http:invoke';
const T0 = Date.parse('2026-03-02T10:00:00Z');

const definition: StateMachineDefinition = {
  StartAt: 'Call',
  States: {
    Call: {
      Type: 'Task',
      Resource: SLOW,
      TimeoutSeconds: 10,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.failure', Next: 'TimedOut' }],
      Next: 'Answered',
    },
    Answered: { Type: 'Succeed' },
    TimedOut: { Type: 'Succeed' },
  },
};

/** Runs the machine with a handler that answers after `answerMs` of journey time. */
async function run(answerMs: number) {
  const clock = new JourneyClock(T0);
  let endedAt: number | undefined;
  const m = new LocalStateMachine(definition, {
    time: runnerTime(clock),
    handlers: {
      [SLOW]: async (_input, call) => {
        call.ended?.addEventListener('abort', () => {
          endedAt = clock.nowMs();
        });
        await call.parked?.(clock.sleep(answerMs, call.ended));
        return { answeredAt: clock.nowMs() - T0 };
      },
    },
  });
  const execution = m.start({});
  await clock.advanceTo(T0 + 3_600_000);
  const outcome = await execution.done;
  return { clock, outcome, endedAfterMs: endedAt === undefined ? undefined : endedAt - T0 };
}

/** Whether a timer fires while something holds the clock: it must not, if holds are counted right. */
async function firesWhileHeld(clock: JourneyClock): Promise<boolean> {
  const release = clock.hold();
  let fired = false;
  clock.at(clock.nowMs() + 1000, () => {
    fired = true;
  });
  const settled = clock.advanceTo(clock.nowMs() + 2000);
  for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
  const early = fired;
  release();
  await settled;
  return early;
}

describe('a Task handler that waits on journey time', () => {
  it('answers after 5 s of journey time, before the 10 s timeout', async () => {
    // act
    const { clock, outcome, endedAfterMs } = await run(5_000);
    // assert
    expect(outcome.visited).toStrictEqual(['Call', 'Answered']);
    expect(outcome.output).toStrictEqual({ answeredAt: 5_000 });
    expect(endedAfterMs).toBe(5_000);
    expect(await firesWhileHeld(clock)).toBe(false);
  });

  it('times out at 10 s when the answer would take 60 s, and its wait ends with the Task', async () => {
    // act
    const { clock, outcome, endedAfterMs } = await run(60_000);
    // assert
    expect(outcome.visited).toStrictEqual(['Call', 'TimedOut']);
    expect(endedAfterMs).toBe(10_000);
    expect(clock.nextDueMs()).toBeUndefined();
    expect(await firesWhileHeld(clock)).toBe(false);
  });
});
