import { describe, expect, it } from 'vitest';
import { type Ended, Executions } from '#infra/simulate/machine/executions.ts';
import { Timers } from '#infra/simulate/machine/timers.ts';
import type { Asl } from '#shared/journey/compile/asl.ts';

const T0 = Date.parse('2026-01-05T09:00:00Z');
const DAY = 86_400_000;

/** A reminder every `days` days until a purchase that never comes: the journey loops for good. */
function forever(days: number): Asl {
  return everySeconds(days * 86_400);
}

function everySeconds(seconds: number): Asl {
  return {
    Comment: 'Weekly reminder',
    StartAt: 'remind',
    States: {
      remind: {
        Type: 'Task',
        Resource: 'arn:aws:lambda:remind',
        Parameters: {},
        ResultPath: null,
        Next: 'pause',
      },
      pause: { Type: 'Wait', Seconds: seconds, Next: 'remind' },
    },
  };
}

/** A day in, waits for a task token that never comes, with a timeout that ends past the year. */
const neverAnswered: Asl = {
  Comment: 'Never answered',
  StartAt: 'pause',
  States: {
    pause: { Type: 'Wait', Seconds: 86_400, Next: 'wait' },
    wait: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'await', Payload: { 'token.$': '$$.Task.Token' } },
      ResultPath: '$.answer',
      TimeoutSeconds: 365 * 86_400,
      Next: 'done',
    },
    done: { Type: 'Succeed' },
  },
};

async function run(machine: Asl, startAfterDays = 0) {
  const timers = new Timers(T0);
  const ended: Ended[] = [];
  let reminders = 0;
  const executions = new Executions(
    timers,
    () => machine,
    async (resource) => {
      if (resource === 'arn:aws:lambda:remind') reminders += 1;
      return null;
    },
    async (end) => {
      ended.push(end);
    },
  );
  timers.at(T0 + startAfterDays * DAY, () => {
    executions.start('arn:aws:states:eu-west-1:1:stateMachine:j', 'e1', '{}');
  });
  await timers.run();
  return { ended, reminders, now: timers.now };
}

/**
 * A Standard execution runs a year at most: one still running then ends
 * TIMED_OUT, as on AWS — so `journeys simulate` of a journey that loops for
 * good ends, with the loop's messages of that year.
 */
describe('the simulation on Step Functions limits', () => {
  it('ends a journey that loops for good a year after it started, TIMED_OUT', async () => {
    const { ended, reminders, now } = await run(forever(7), 3);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(ended[0]?.stopDate).toBe(T0 + 3 * DAY + 365 * DAY);
    expect(now).toBe(T0 + 3 * DAY + 365 * DAY);
    expect(reminders).toBe(53);
  });

  it('fails an execution whose next state would take its history to 25,000 events, as AWS does', async () => {
    // act: ExecutionStarted, then 7 events a round (a Lambda Task 5, a Wait 2)
    const { ended, reminders } = await run(everySeconds(3_600));
    // assert: 1 + 7 × 3,571 = 24,998; the next Task's 5 events would pass the limit
    expect(reminders).toBe(3_571);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'The execution reached the maximum number of history events (25000).',
      stopDate: T0 + 3_571 * 3_600_000,
    });
  });

  it('ends a wait for a token the year outlasts then, not at its own timeout', async () => {
    const { ended } = await run(neverAnswered);
    expect(ended[0]).toMatchObject({ status: 'TIMED_OUT', stopDate: T0 + 365 * DAY });
  });
});
