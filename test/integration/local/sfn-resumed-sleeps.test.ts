import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import { machineArn } from '#infra/local/services/stepfunctions/api/arns.ts';
import { ExecutionLog } from '#infra/local/services/stepfunctions/api/executions.ts';
import { MachineStore } from '#infra/local/services/stepfunctions/api/machines.ts';
import { LocalStepFunctions } from '#infra/local/services/stepfunctions/api/service.ts';

/**
 * An execution resumed after a Wait goes on waiting on journey time where it
 * does not park again: a Wait whose instant is already past or is now, and a
 * Retry interval. Journey time moves meanwhile, so those end, and the
 * execution with them.
 */

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:flaky';
const START = Date.parse('2026-10-24T12:00:00Z');
const ROLE = 'arn:aws:iam::000000000000:role/journey';

const definition = JSON.stringify({
  StartAt: 'Pause',
  States: {
    Pause: { Type: 'Wait', Seconds: 3600, Next: 'Past' },
    // Already past when the execution resumes: over at once.
    Past: { Type: 'Wait', Timestamp: '2026-01-01T00:00:00Z', Next: 'Now' },
    Now: { Type: 'Wait', Seconds: 0, Next: 'Work' },
    Work: {
      Type: 'Task',
      Resource: FN,
      ResultPath: '$.work',
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 1 }],
      End: true,
    },
  },
});

let dir: string;
let clock: JourneyClock;
let sfn: LocalStepFunctions;
const calledAt: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfn-resumed-'));
  await mkdir(join(dir, 'stepfunctions'));
  clock = new JourneyClock(START);
  sfn = new LocalStepFunctions({
    machines: await MachineStore.open(
      join(dir, 'stepfunctions', 'machines.json'),
      () => clock.nowMs() / 1000,
    ),
    executions: await ExecutionLog.open(join(dir, 'stepfunctions', 'executions.jsonl')),
    handlers: {
      [FN]: () => {
        calledAt.push(clock.nowMs());
        // The first attempt fails: the retry waits 30 s of journey time.
        if (calledAt.length === 1) throw Object.assign(new Error('try again'), { name: 'Flaky' });
        return { ok: true };
      },
    },
    time: runnerTime(clock),
  });
});
afterAll(async () => {
  await sfn.stopAll();
  await rm(dir, { recursive: true, force: true });
});

describe('a resumed execution', () => {
  it('ends a past or zero Wait at once and retries after its interval', async () => {
    const machine = sfn.machines.create({ name: 'resumed', definition, roleArn: ROLE, type: 'STANDARD' });
    const started = await sfn.startExecution(machineArn(machine.name), 'e-1', '{}');
    await clock.advanceTo(START + 2 * 3_600_000);
    expect(sfn.describeExecution(started.executionArn).status).toBe('SUCCEEDED');
    expect(calledAt.map((at) => new Date(at).toISOString())).toEqual([
      '2026-10-24T13:00:00.000Z',
      '2026-10-24T13:00:30.000Z',
    ]);
  });
});
