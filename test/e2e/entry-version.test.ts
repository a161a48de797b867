import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DescribeStateMachineCommand,
  SFNClient,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import {
  boot,
  E2E_TIMEOUT,
  executionsOf,
  identify,
  putEvents,
  runUntil,
  type Sandbox,
  sandbox,
  sentEmails,
  track,
} from './support/local-runtime.ts';

/**
 * An entry runs the version it was judged and counted on. deploy-journey
 * moves the `live` alias before it writes the registry, and ingest reads the
 * registry through a cache of up to 30 seconds: for a while after every
 * deploy, the registry ingest reads names the version before the alias's.
 * An entry started on the alias then ran the newer definition — its steps,
 * split weights and templates — while it was recorded, counted, given its
 * variants and finished (goal, exit events) as the older version.
 */

const JOURNEY = {
  id: 'versioned',
  name: 'Versioned',
  trigger: { type: 'event', event: 'Signed Up' },
  reentry: 'always',
  start: 'hello',
  steps: {
    hello: { type: 'email', template: 'welcome', next: 'done' },
    done: { type: 'exit' },
  },
};
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:journey-versioned';

let box: Sandbox;
let runtime: LocalRuntime;
let sfn: SFNClient;

beforeAll(async () => {
  box = await sandbox([], { templates: ['welcome'] });
  await writeFile(join(box.journeysDir, 'versioned.json'), JSON.stringify(JOURNEY));
  runtime = await boot(box, { inMemory: true });
  sfn = new SFNClient(localClientConfig(runtime.endpoints.sfn));
}, E2E_TIMEOUT);
afterAll(async () => {
  sfn?.destroy();
  await runtime?.stop();
  await box?.remove();
});

describe('an entry made while the alias is ahead of the registry', () => {
  it('runs the version the registry named: its template, recorded under its number', async () => {
    // arrange: a version 2 that sends no email is published and made live on the alias,
    // as a deploy does before it writes the registry (which still names version 1)
    const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: MACHINE }));
    const definition = JSON.parse(machine.definition ?? '{}');
    const silent = { ...definition, StartAt: 'done' };
    const published = await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: MACHINE,
        definition: JSON.stringify(silent),
        publish: true,
      }),
    );
    await sfn.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: `${MACHINE}:live`,
        routingConfiguration: [{ stateMachineVersionArn: published.stateMachineVersionArn, weight: 100 }],
      }),
    );
    // act
    await putEvents(runtime, [identify('ada', 'UTC'), track('ada', 'Signed Up', {})]);
    const [run] = await runUntil(runtime, "ada's enrollment ended", async () => {
      const runs = await executionsOf(runtime, 'versioned', 'ada');
      return runs.length > 0 && runs.every((r) => r.status !== 'RUNNING') ? runs : undefined;
    });
    // assert: version 1 ran, as its input and the registry say
    expect(run?.stateMachineVersionArn).toBe(`${MACHINE}:1`);
    expect(JSON.parse(run?.input ?? '{}').journeyVersion).toBe('1');
    expect((await sentEmails(runtime, 'ada@example.com')).length).toBe(1);
  });
});
