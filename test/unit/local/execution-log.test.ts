import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EXECUTION_RETENTION,
  ExecutionLog,
  type ExecutionRecord,
} from '#infra/local/services/stepfunctions/api/executions.ts';

const DAY_S = 86_400;
const NOW_S = Date.parse('2026-06-01T00:00:00Z') / 1000;
let dir = '';

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(name: string, status: ExecutionRecord['status'], stopDate?: number): ExecutionRecord {
  return {
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:m:${name}`,
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
    machine: 'm',
    name,
    status,
    input: '{}',
    startDate: NOW_S - 200 * DAY_S,
    stopDate,
    visited: [],
    transitions: 0,
  };
}

describe('the local execution log', () => {
  it('drops closed executions past their retention, keeps the rest, one line each', async () => {
    // arrange: an old closed execution, a recent one, one still waiting since long ago, each written twice
    dir = await mkdtemp(join(tmpdir(), 'journeys-executions-'));
    const file = join(dir, 'executions.jsonl');
    const log = await ExecutionLog.open(file);
    const old = record('old', 'SUCCEEDED', NOW_S - (EXECUTION_RETENTION.days + 1) * DAY_S);
    const recent = record('recent', 'FAILED', NOW_S - DAY_S);
    const waiting = record('waiting', 'RUNNING');
    for (const r of [old, recent, waiting]) {
      await log.write({ ...r, status: 'RUNNING', stopDate: undefined });
      await log.write(r);
    }
    // act
    await log.retain(() => NOW_S * 1000);
    // assert
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).name)).toEqual(['recent', 'waiting']);
    expect([...(await ExecutionLog.open(file)).records.keys()]).toEqual([
      recent.executionArn,
      waiting.executionArn,
    ]);
  });

  it('keeps only the newest closed executions the rule allows, however recent, and every running one', async () => {
    // arrange: six closed an hour apart and one running, under a rule of the newest three
    dir = await mkdtemp(join(tmpdir(), 'journeys-executions-'));
    const file = join(dir, 'executions.jsonl');
    const log = await ExecutionLog.open(file);
    await log.retain(() => NOW_S * 1000, { days: 90, newest: 3 });
    // act
    for (let n = 0; n < 6; n += 1)
      await log.write(record(`closed-${n}`, 'SUCCEEDED', NOW_S - (6 - n) * 3_600));
    await log.write(record('running', 'RUNNING'));
    await log.retain(() => NOW_S * 1000, { days: 90, newest: 3 });
    // assert
    const names = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).name);
    expect(names.sort()).toEqual(['closed-3', 'closed-4', 'closed-5', 'running']);
  });

  it('stays bounded when every execution runs straight through (a start and an end record each, never parked)', async () => {
    // arrange: a runtime keeping the newest 10 closed executions
    dir = await mkdtemp(join(tmpdir(), 'journeys-executions-'));
    const file = join(dir, 'executions.jsonl');
    const log = await ExecutionLog.open(file);
    await log.retain(() => NOW_S * 1000, { days: 90, newest: 10 });
    // act: 3,000 executions that never wait, each written at its start and at its end
    for (let n = 0; n < 3_000; n += 1) {
      const closed = record(`straight-${n}`, 'SUCCEEDED', NOW_S - 3_000 + n);
      await log.write({ ...closed, status: 'RUNNING', stopDate: undefined });
      await log.write(closed);
    }
    // assert: memory and file hold the kept records plus at most a rewrite's slack, not all 3,000
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(log.records.size).toBeLessThanOrEqual(10 + 1_000);
    expect(lines.length).toBeLessThanOrEqual(2 * (10 + 1_000));
    expect(log.records.has(record('straight-2999', 'SUCCEEDED').executionArn)).toBe(true);
  });

  it('opens a log whose last record a killed runtime cut short, keeping the record before it', async () => {
    // arrange: an execution parked, then the runtime was killed while appending its next record
    dir = await mkdtemp(join(tmpdir(), 'journeys-executions-'));
    const file = join(dir, 'executions.jsonl');
    const first = await ExecutionLog.open(file);
    await first.write(record('waiting', 'RUNNING'));
    await appendFile(file, JSON.stringify(record('waiting', 'SUCCEEDED', NOW_S)).slice(0, 40));
    // act: the next start opens it and goes on writing
    const reopened = await ExecutionLog.open(file);
    await reopened.write(record('next', 'RUNNING'));
    const again = await ExecutionLog.open(file);
    // assert
    expect(reopened.records.get(record('waiting', 'RUNNING').executionArn)?.status).toBe('RUNNING');
    expect([...again.records.values()].map((r) => [r.name, r.status])).toEqual([
      ['waiting', 'RUNNING'],
      ['next', 'RUNNING'],
    ]);
  });
});
