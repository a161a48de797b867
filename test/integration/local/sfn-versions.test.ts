import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  SFNClient,
  StartExecutionCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import { closeServer, listenOn } from '#infra/local/runtime/listen.ts';
import { ExecutionLog } from '#infra/local/services/stepfunctions/api/executions.ts';
import { MachineStore } from '#infra/local/services/stepfunctions/api/machines.ts';
import { createStepFunctionsServer } from '#infra/local/services/stepfunctions/api/server.ts';
import { LocalStepFunctions } from '#infra/local/services/stepfunctions/api/service.ts';

/**
 * State machine versions are pruned as deploys go on, by the rule deploy-journey
 * follows on AWS: kept are the versions an alias routes to and the newest few.
 * As on AWS, an execution on a deleted version runs on to its end.
 */

const START = Date.parse('2026-03-02T09:00:00Z');
const ROLE = 'arn:aws:iam::000000000000:role/r';
let dir = '';
let clock: JourneyClock;
let sfn: LocalStepFunctions;
let server: Server;
let client: SFNClient;

const definition = (n: number) =>
  JSON.stringify({
    StartAt: 'Pause',
    States: {
      Pause: { Type: 'Wait', Seconds: 3600, Next: 'Done' },
      Done: { Type: 'Pass', Result: n, End: true },
    },
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfn-versions-'));
  await mkdir(join(dir, 'stepfunctions'));
  clock = new JourneyClock(START);
  sfn = new LocalStepFunctions({
    machines: await MachineStore.open(
      join(dir, 'stepfunctions', 'state-machines.json'),
      () => clock.nowMs() / 1000,
    ),
    executions: await ExecutionLog.open(join(dir, 'stepfunctions', 'executions.jsonl')),
    handlers: {},
    keepVersions: 1,
    time: runnerTime(clock),
  });
  server = createStepFunctionsServer(sfn);
  client = new SFNClient(localClientConfig(`http://127.0.0.1:${await listenOn(server, 'sfn', 0)}`));
});
afterAll(async () => {
  client.destroy();
  await sfn.stopAll();
  await closeServer(server);
  await rm(dir, { recursive: true, force: true });
});

/** What deploy-journey does: update the definition, publish it, move `live` to it. */
async function deploy(machineArn: string, aliasArn: string, n: number): Promise<void> {
  await client.send(
    new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: definition(n) }),
  );
  const { stateMachineVersionArn } = await client.send(
    new PublishStateMachineVersionCommand({ stateMachineArn: machineArn }),
  );
  await client.send(
    new UpdateStateMachineAliasCommand({
      stateMachineAliasArn: aliasArn,
      routingConfiguration: [{ stateMachineVersionArn, weight: 100 }],
    }),
  );
}

async function versions(machineArn: string): Promise<number[]> {
  const { stateMachineVersions = [] } = await client.send(
    new ListStateMachineVersionsCommand({ stateMachineArn: machineArn }),
  );
  return stateMachineVersions.map((v) => Number(v.stateMachineVersionArn?.split(':').at(-1)));
}

describe('state machine versions in the local runtime', () => {
  it('keeps the live version and the newest; an execution on a dropped version still finishes on it', async () => {
    // arrange: v1 live, an execution waiting on it, then five more deploys
    const created = await client.send(
      new CreateStateMachineCommand({
        name: 'journey-v',
        definition: definition(1),
        roleArn: ROLE,
        publish: true,
      }),
    );
    const machineArn = created.stateMachineArn ?? '';
    const { stateMachineAliasArn: aliasArn = '' } = await client.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        routingConfiguration: [{ stateMachineVersionArn: created.stateMachineVersionArn, weight: 100 }],
      }),
    );
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: aliasArn, name: 'on-v1', input: '{}' }),
    );
    await clock.settled();
    // act
    for (let n = 2; n <= 6; n += 1) await deploy(machineArn, aliasArn, n);
    // assert: v6 live and v5 to roll back to; v1 is deleted although its execution waits
    expect(await versions(machineArn)).toEqual([6, 5]);
    for (const gone of [1, 3]) {
      await expect(
        client.send(new DescribeStateMachineCommand({ stateMachineArn: `${machineArn}:${gone}` })),
      ).rejects.toMatchObject({ name: 'ResourceNotFound' });
    }

    // act: the execution finishes on v1, then one more deploy
    await clock.advanceTo(START + 2 * 3_600_000);
    await sfn.idle();
    const ended = await client.send(new DescribeExecutionCommand({ executionArn }));
    await deploy(machineArn, aliasArn, 7);
    // assert: it ran v1 to the end; v1's definition is forgotten now, and the file holds only what is kept
    expect(ended).toMatchObject({ status: 'SUCCEEDED', output: '1' });
    expect(await versions(machineArn)).toEqual([7, 6]);
    const saved = JSON.parse(await readFile(join(dir, 'stepfunctions', 'state-machines.json'), 'utf8'));
    expect(saved[0].versions.map((v: { version: number }) => v.version)).toEqual([6, 7]);

    // act + assert: DeleteStateMachineVersion refuses the version `live` routes to, as AWS does
    await expect(
      client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${machineArn}:7` })),
    ).rejects.toMatchObject({ name: 'ConflictException' });
    await client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${machineArn}:6` }));
    expect(await versions(machineArn)).toEqual([7]);
    // and deploys go on: the new live version, and the one before kept to roll back to
    await deploy(machineArn, aliasArn, 8);
    expect(await versions(machineArn)).toEqual([8, 7]);
  });
});
