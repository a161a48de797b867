import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  ListExecutionsCommand,
  ListStateMachineAliasesCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import { ExecutionLog } from '#infra/local/services/stepfunctions/api/executions.ts';
import { MachineStore } from '#infra/local/services/stepfunctions/api/machines.ts';
import { createStepFunctionsServer } from '#infra/local/services/stepfunctions/api/server.ts';
import { LocalStepFunctions } from '#infra/local/services/stepfunctions/api/service.ts';

/** The read API of the local Step Functions, through the AWS SDK as the CLI and `--aws` tools use it. */

let dir: string;
let sfn: LocalStepFunctions;
let server: Server;
let client: SFNClient;

const definition = (result: string) =>
  JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', Result: result, End: true } } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfn-read-'));
  await mkdir(join(dir, 'stepfunctions'));
  const clock = new JourneyClock(Date.parse('2026-03-02T09:00:00Z'));
  sfn = new LocalStepFunctions({
    machines: await MachineStore.open(join(dir, 'stepfunctions', 'machines.json')),
    executions: await ExecutionLog.open(join(dir, 'stepfunctions', 'executions.jsonl')),
    handlers: {},
    time: runnerTime(clock),
  });
  server = createStepFunctionsServer(sfn);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  client = new SFNClient(localClientConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
});
afterAll(async () => {
  client.destroy();
  server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('local Step Functions read API', () => {
  it('lists state machines, aliases and executions by machine, version, alias and status, page by page', async () => {
    // arrange: two machines; v1 behind the alias "live", then v2; three executions
    const roleArn = 'arn:aws:iam::000000000000:role/r';
    const a = await client.send(
      new CreateStateMachineCommand({
        name: 'journey-a',
        definition: definition('1'),
        roleArn,
        publish: true,
      }),
    );
    await client.send(
      new CreateStateMachineCommand({ name: 'journey-b', definition: definition('x'), roleArn }),
    );
    const v1 = a.stateMachineVersionArn ?? '';
    const alias = await client.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }],
      }),
    );
    const live = alias.stateMachineAliasArn ?? '';
    const machine = a.stateMachineArn ?? '';
    await client.send(new StartExecutionCommand({ stateMachineArn: live, name: 'first', input: '{}' }));
    await client.send(new StartExecutionCommand({ stateMachineArn: live, name: 'second', input: '{}' }));
    const updated = await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: machine, definition: definition('2'), publish: true }),
    );
    const v2 = updated.stateMachineVersionArn ?? '';
    await client.send(new StartExecutionCommand({ stateMachineArn: v2, name: 'third', input: '{}' }));
    await sfn.idle();
    // act
    const list = (stateMachineArn: string, more: object = {}) =>
      client.send(new ListExecutionsCommand({ stateMachineArn, ...more }));
    const machines = await client.send(new ListStateMachinesCommand({}));
    const aliases = await client.send(new ListStateMachineAliasesCommand({ stateMachineArn: machine }));
    const all = await list(machine);
    const viaAlias = await list(live);
    const onV2 = await list(v2);
    const running = await list(machine, { statusFilter: 'RUNNING' });
    const first = await list(machine, { maxResults: 2 });
    const rest = await list(machine, { maxResults: 2, nextToken: first.nextToken });
    // assert
    expect(machines.stateMachines?.map((m) => m.name)).toEqual(['journey-a', 'journey-b']);
    expect(aliases.stateMachineAliases?.map((x) => x.stateMachineAliasArn)).toEqual([live]);
    expect(all.executions?.map((e) => `${e.name} ${e.status}`).sort()).toEqual([
      'first SUCCEEDED',
      'second SUCCEEDED',
      'third SUCCEEDED',
    ]);
    expect(viaAlias.executions?.map((e) => e.name).sort()).toEqual(['first', 'second']);
    expect(viaAlias.executions?.every((e) => e.stateMachineVersionArn === v1)).toBe(true);
    expect(onV2.executions?.map((e) => e.name)).toEqual(['third']);
    expect(running.executions).toEqual([]);
    expect([first.executions?.length, rest.executions?.length, rest.nextToken]).toEqual([2, 1, undefined]);
    const paged = [...(first.executions ?? []), ...(rest.executions ?? [])].map((e) => e.name);
    expect(new Set(paged).size).toBe(3);
  });

  it('answers an unknown machine as AWS does', async () => {
    const call = client.send(
      new ListExecutionsCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:nope',
      }),
    );
    await expect(call).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});
