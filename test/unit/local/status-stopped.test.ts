import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journeyStatus } from '#infra/local/inspect/status.ts';

/**
 * An enrollment its goal or an exit event ended is a stopped (ABORTED)
 * execution in Step Functions: `journeys status` says why, as the report
 * counts it (goal, exited), rather than leaving it to read as aborted.
 */

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const record = (name: string, status: string, more: Record<string, string> = {}) =>
  JSON.stringify({
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:journey-win-back:${name}`,
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:journey-win-back',
    machine: 'journey-win-back',
    name,
    status,
    input: '{}',
    startDate: 1_772_442_000,
    stopDate: 1_772_528_400,
    version: 1,
    visited: ['wave-1'],
    transitions: 1,
    ...more,
  });

describe('journeys status: stopped enrollments', () => {
  it('tells a goal, an exit event and a runtime stop apart', async () => {
    // arrange
    const dataDir = await mkdtemp(join(tmpdir(), 'status-stopped-'));
    dirs.push(dataDir);
    const lines = [
      record('a', 'ABORTED', { cause: 'goal reached' }),
      record('b', 'ABORTED', { cause: 'goal reached' }),
      record('c', 'ABORTED', { cause: 'exit event' }),
      record('d', 'ABORTED', {
        error: 'Local.RuntimeStopped',
        cause: 'The local runtime stopped while this execution was running.',
      }),
      record('e', 'SUCCEEDED'),
    ];
    await mkdir(join(dataDir, 'stepfunctions'));
    await writeFile(join(dataDir, 'stepfunctions', 'executions.jsonl'), `${lines.join('\n')}\n`);
    // act
    const status = await journeyStatus(dataDir, 'win-back');
    // assert
    expect(status.enrollments).toEqual(
      expect.arrayContaining([
        { version: '1', status: 'ABORTED', reason: 'goal reached', count: 2 },
        { version: '1', status: 'ABORTED', reason: 'exit event', count: 1 },
        { version: '1', status: 'ABORTED', reason: 'Local.RuntimeStopped', count: 1 },
        { version: '1', status: 'SUCCEEDED', count: 1 },
      ]),
    );
    expect(status.enrollments).toHaveLength(4);
  });

  it('tells an enrollment a failing step ended (policy exit) from one that ran to its exit step', async () => {
    // arrange
    const dataDir = await mkdtemp(join(tmpdir(), 'status-step-failed-'));
    dirs.push(dataDir);
    const output = JSON.stringify({
      failure: { Error: 'Journeys.ProfileValue', Cause: 'no value' },
      exit: { stepId: 'wave-1', reason: 'wait not computed', error: 'Journeys.ProfileValue' },
    });
    const lines = [record('a', 'SUCCEEDED', { output }), record('b', 'SUCCEEDED', { output: '{}' })];
    await mkdir(join(dataDir, 'stepfunctions'));
    await writeFile(join(dataDir, 'stepfunctions', 'executions.jsonl'), `${lines.join('\n')}\n`);
    // act
    const status = await journeyStatus(dataDir, 'win-back');
    // assert
    expect(status.enrollments).toEqual(
      expect.arrayContaining([
        { version: '1', status: 'SUCCEEDED', reason: 'wave-1 failed: Journeys.ProfileValue', count: 1 },
        { version: '1', status: 'SUCCEEDED', count: 1 },
      ]),
    );
    expect(status.enrollments).toHaveLength(2);
  });
});
