import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import { ExecutionLog } from '#infra/local/services/stepfunctions/api/executions.ts';
import { MachineStore } from '#infra/local/services/stepfunctions/api/machines.ts';
import { LocalStepFunctions } from '#infra/local/services/stepfunctions/api/service.ts';
import type { StateMachineDefinition } from '#infra/local/services/stepfunctions/runner/runner.ts';

/**
 * Step Functions fails an execution whose history reaches 25,000 events. The
 * local runner counts them per state as `validate`'s loop warning does (a
 * Lambda Task 5, a Wait 2, ExecutionStarted 1), also across the waits it
 * parks in, and fails the execution on the state that would reach the limit,
 * before that state's function runs.
 */

const T0 = Date.parse('2026-03-02T09:00:00Z');
const HOUR = 3_600_000;
const STEPS = ['Count', 'Score', 'Tag', 'Log', 'Notify', 'Remember'] as const;
const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** Six Lambda Tasks, then an hour's wait, round and round (until a Stop never thrown): 32 history events an hour. */
const hourly: StateMachineDefinition = {
  StartAt: 'Count',
  States: {
    ...Object.fromEntries(
      STEPS.map((name, i) => [
        name,
        {
          Type: 'Task',
          Resource: fn(name),
          ResultPath: null,
          Catch: [{ ErrorEquals: ['Stop'], Next: 'Done' }],
          Next: STEPS[i + 1] ?? 'Pause',
        },
      ]),
    ),
    Pause: { Type: 'Wait', Seconds: 3600, Next: 'Count' },
    Done: { Type: 'Succeed' },
  },
};

const HISTORY_FULL = {
  status: 'FAILED',
  error: 'States.Runtime',
  cause: 'The execution reached the maximum number of history events (25000).',
};

function counted() {
  const calls = new Map<string, number>();
  const handlers = Object.fromEntries(
    STEPS.map((name) => [
      fn(name),
      () => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return {};
      },
    ]),
  );
  return { calls, handlers };
}

describe('the local Step Functions on the history limit', () => {
  it('fails an hourly loop after about a month, when its next state would take the history to 25,000 events', async () => {
    // arrange
    const dir = await mkdtemp(join(tmpdir(), 'sfn-history-limit-'));
    const clock = new JourneyClock(T0);
    const { calls, handlers } = counted();
    const sfn = new LocalStepFunctions({
      machines: await MachineStore.open(join(dir, 'machines.json'), () => clock.nowMs() / 1000),
      executions: await ExecutionLog.open(join(dir, 'executions.jsonl')),
      handlers,
      time: runnerTime(clock),
    });
    sfn.machines.create({
      name: 'hourly',
      definition: JSON.stringify(hourly),
      roleArn: '',
      type: 'STANDARD',
    });
    // act
    const started = await sfn.startExecution(
      'arn:aws:states:us-east-1:000000000000:stateMachine:hourly',
      'one',
      '{}',
    );
    await clock.advanceTo(T0 + 60 * 24 * HOUR);
    await sfn.idle();
    // assert: 1 + 32 × 781 rounds = 24,993; then Count (24,998), and Score would pass the limit
    expect(sfn.describeExecution(started.executionArn)).toMatchObject(HISTORY_FULL);
    expect(calls.get('Count')).toBe(782);
    expect(calls.get('Score')).toBe(781);
    await rm(dir, { recursive: true, force: true });
  });
});
