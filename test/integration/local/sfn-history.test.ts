import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import { ExecutionLog } from '#infra/local/services/stepfunctions/api/executions.ts';
import {
  HISTORY_RETENTION_DAYS,
  HistoryStore,
} from '#infra/local/services/stepfunctions/api/history-store.ts';
import { MachineStore } from '#infra/local/services/stepfunctions/api/machines.ts';
import { createStepFunctionsServer } from '#infra/local/services/stepfunctions/api/server.ts';
import { LocalStepFunctions } from '#infra/local/services/stepfunctions/api/service.ts';
import { AWS_CLI, awsCliAvailable } from '../../e2e/support/aws-cli.ts';

/**
 * GetExecutionHistory of the local Step Functions: AWS's event types and
 * details, numbered and linked, stamped with journey time, paged both ways,
 * read by the SDK and by the AWS CLI.
 */

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:work';
const AWAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const START = Date.parse('2026-03-02T09:00:00Z');
const ROLE = 'arn:aws:iam::000000000000:role/journey';

const definition = JSON.stringify({
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: FN,
      Parameters: { 'n.$': '$.n' },
      ResultPath: '$.work',
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 1 }],
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 3600, Next: 'Route' },
    Route: {
      Type: 'Choice',
      Choices: [{ Variable: '$.n', NumericGreaterThan: 1, Next: 'Await' }],
      Default: 'Skip',
    },
    Skip: { Type: 'Pass', End: true },
    Await: {
      Type: 'Task',
      Resource: AWAIT,
      Parameters: { FunctionName: 'await-fn', Payload: { 'token.$': '$$.Task.Token' } },
      TimeoutSeconds: 86_400,
      ResultPath: '$.event',
      End: true,
    },
  },
});

let dir: string;
let clock: JourneyClock;
let sfn: LocalStepFunctions;
let histories: HistoryStore;
let server: Server;
let endpoint: string;
let client: SFNClient;
let calls = 0;
/** Calls of the work function per execution: each execution's first fails, wherever the tests run it. */
const attempts = new Map<string, number>();
const tokens: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfn-history-'));
  await mkdir(join(dir, 'stepfunctions'));
  clock = new JourneyClock(START);
  histories = await HistoryStore.open(join(dir, 'stepfunctions', 'history'), () => clock.nowMs());
  sfn = new LocalStepFunctions({
    machines: await MachineStore.open(
      join(dir, 'stepfunctions', 'machines.json'),
      () => clock.nowMs() / 1000,
    ),
    executions: await ExecutionLog.open(join(dir, 'stepfunctions', 'executions.jsonl')),
    histories,
    handlers: {
      [FN]: (_input, call) => {
        calls += 1;
        const attempt = (attempts.get(call.executionName) ?? 0) + 1;
        attempts.set(call.executionName, attempt);
        // The first call of each execution fails once: a retry after 30 s of journey time.
        if (attempt === 1) throw Object.assign(new Error('try again'), { name: 'Flaky' });
        return { ok: true };
      },
      'await-fn': (_input, call) => {
        tokens.push(call.token ?? '');
        return { registered: true };
      },
    },
    time: runnerTime(clock),
  });
  server = createStepFunctionsServer(sfn);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new SFNClient(localClientConfig(endpoint));
});
afterAll(async () => {
  client.destroy();
  server.close();
  await rm(dir, { recursive: true, force: true });
});

async function machine(name: string): Promise<string> {
  const created = await client.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE }));
  return created.stateMachineArn ?? '';
}

async function history(executionArn: string, more: object = {}): Promise<HistoryEvent[]> {
  const out = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...more }));
  return out.events ?? [];
}

const at = (e: HistoryEvent | undefined) => e?.timestamp?.toISOString();

describe('GetExecutionHistory (local Step Functions)', () => {
  it('tells each state and task attempt as AWS does, in journey time', async () => {
    // arrange
    const arn = await machine('history-a');
    const started = clock.nowMs();
    const { executionArn = '' } = await client.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'one', input: '{"n":2}' }),
    );
    await clock.settled();
    await clock.advanceTo(started + 2 * 3_600_000);
    // act: while it waits for its token
    const waiting = await history(executionArn);
    sfn.sendTaskSuccess(tokens.at(-1) ?? '', '{"event":"Order Completed"}');
    await sfn.idle();
    const events = await history(executionArn);
    // assert
    expect(waiting.map((e) => e.type).slice(-4)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => [e.id, e.previousEventId])).toEqual(events.map((_, i) => [i + 1, i]));
    const byType = (type: string, n = 0) => events.filter((e) => e.type === type)[n];
    const sinceStart = (ms: number) => new Date(started + ms).toISOString();
    expect(at(byType('ExecutionStarted'))).toBe(sinceStart(0));
    expect(at(byType('LambdaFunctionFailed'))).toBe(sinceStart(0));
    expect(at(byType('LambdaFunctionScheduled', 1))).toBe(sinceStart(30_000));
    expect(at(byType('WaitStateExited'))).toBe(sinceStart(3_630_000));
    expect(byType('ExecutionStarted')?.executionStartedEventDetails).toMatchObject({
      input: '{"n":2}',
      roleArn: ROLE,
    });
    expect(byType('LambdaFunctionFailed')?.lambdaFunctionFailedEventDetails).toMatchObject({
      error: 'Flaky',
    });
    expect(byType('LambdaFunctionScheduled')?.lambdaFunctionScheduledEventDetails).toMatchObject({
      resource: FN,
      input: '{"n":2}',
    });
    expect(byType('TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      timeoutInSeconds: 86_400,
    });
    expect(JSON.parse(byType('TaskSucceeded')?.taskSucceededEventDetails?.output ?? '')).toEqual({
      event: 'Order Completed',
    });
    expect(byType('ChoiceStateExited')?.stateExitedEventDetails?.name).toBe('Route');
    expect(
      JSON.parse(byType('ExecutionSucceeded')?.executionSucceededEventDetails?.output ?? ''),
    ).toMatchObject({
      n: 2,
      event: { event: 'Order Completed' },
    });
  });

  it('pages both ways, leaves data out on request, and ends an aborted one with the state it stopped in', async () => {
    // arrange
    const arn = await machine('history-b');
    const { executionArn = '' } = await client.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'two', input: '{"n":1}' }),
    );
    await clock.settled();
    const before = calls;
    await client.send(
      new StopExecutionCommand({ executionArn, error: 'Journeys.Goal', cause: 'goal reached' }),
    );
    await sfn.idle();
    // The stop ends the retry interval: the function is not called again.
    expect(calls).toBe(before);
    // act
    const all = await history(executionArn);
    const pages: HistoryEvent[][] = [];
    let nextToken: string | undefined;
    do {
      const out = await client.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder: true, nextToken }),
      );
      pages.push(out.events ?? []);
      nextToken = out.nextToken;
    } while (nextToken !== undefined);
    const bare = await history(executionArn, { includeExecutionData: false });
    // assert
    // Stopped during the retry interval of its first state.
    expect(all.slice(-5).map((e) => e.type)).toEqual([
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'TaskStateAborted',
      'ExecutionAborted',
    ]);
    expect(all.at(-1)?.executionAbortedEventDetails).toEqual({
      error: 'Journeys.Goal',
      cause: 'goal reached',
    });
    expect(pages.every((p) => p.length <= 3)).toBe(true);
    expect(pages.flat().map((e) => e.id)).toEqual(all.map((e) => e.id).reverse());
    expect(bare[0]?.executionStartedEventDetails?.input).toBeUndefined();
    expect(bare[0]?.executionStartedEventDetails?.roleArn).toBe(ROLE);
  });

  it('answers an unknown execution as AWS does', async () => {
    const call = history('arn:aws:states:us-east-1:000000000000:execution:history-a:nope');
    await expect(call).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('keeps an ended history on disk, and drops it once its retention has passed', async () => {
    // arrange: an execution of its own has ended; its history, and any other ended one, is on disk
    const arn = await machine('history-d');
    await client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'four', input: '{"n":0}' }));
    await clock.settled();
    await clock.advanceTo(clock.nowMs() + 2 * 3_600_000);
    await sfn.idle();
    const files = async () =>
      (await readdir(join(dir, 'stepfunctions', 'history'))).filter((name) => name.endsWith('.json'));
    const ended = (await files()).length;
    expect(ended).toBeGreaterThanOrEqual(1);
    // act: reopen the store after the retention, as a reader (a CLI command) and as a restarted runtime does
    const later = new JourneyClock(START + (HISTORY_RETENTION_DAYS + 1) * 86_400_000);
    const reader = await HistoryStore.open(join(dir, 'stepfunctions', 'history'), () => later.nowMs());
    const keptByReader = reader.kept;
    const reopened = await HistoryStore.open(join(dir, 'stepfunctions', 'history'), () => later.nowMs(), {
      days: HISTORY_RETENTION_DAYS,
      newest: 20_000,
    });
    // assert
    expect(keptByReader).toBe(ended);
    expect(reopened.kept).toBe(0);
    expect(await files()).toEqual([]);
  });

  it('is read by the AWS CLI v2, page by page', { timeout: 60_000 }, async () => {
    // arrange
    if (!awsCliAvailable('GetExecutionHistory from the AWS CLI v2')) return;
    const arn = await machine('history-c');
    const { executionArn = '' } = await client.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'three', input: '{"n":0}' }),
    );
    await clock.settled();
    await clock.advanceTo(clock.nowMs() + 2 * 3_600_000);
    await sfn.idle();
    const expected = (await history(executionArn)).map((e) => e.type);
    // act: two events a call, so the CLI follows nextToken
    const { stdout } = await promisify(execFile)(
      AWS_CLI,
      [
        'stepfunctions',
        'get-execution-history',
        '--endpoint-url',
        endpoint,
        '--execution-arn',
        executionArn,
        '--page-size',
        '2',
      ],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'x',
          AWS_REGION: 'us-east-1',
          AWS_DEFAULT_REGION: 'us-east-1',
        },
      },
    );
    // assert
    const out: { events: { type: string; id: number; timestamp: string }[] } = JSON.parse(stdout);
    expect(out.events.map((e) => e.type)).toEqual(expected);
    expect(expected.at(-1)).toBe('ExecutionSucceeded');
    expect(expected).toContain('PassStateExited');
  });
});
