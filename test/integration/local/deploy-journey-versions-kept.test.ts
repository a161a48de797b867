import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineAliasCommand,
  ListStateMachineVersionsCommand,
  SFNClient,
  UpdateStateMachineAliasCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { TemplateSnapshots } from '#functions/_lib/templates.ts';
import { type DeployDeps, deployFromS3, S3Notification } from '#functions/deploy-journey/deploy.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import { functionArn } from '#infra/local/runtime/lambdas.ts';
import { closeServer, listenOn } from '#infra/local/runtime/listen.ts';
import { ExecutionLog } from '#infra/local/services/stepfunctions/api/executions.ts';
import { MachineStore } from '#infra/local/services/stepfunctions/api/machines.ts';
import { createStepFunctionsServer } from '#infra/local/services/stepfunctions/api/server.ts';
import { LocalStepFunctions } from '#infra/local/services/stepfunctions/api/service.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import {
  exampleJourneyText,
  exampleTemplateObjects,
  fakeJourneysBucket,
} from '../../support/journeys-bucket.ts';

/**
 * `stateMachineVersionsKept` counts the versions kept to roll back to besides
 * the live one and any other alias target: deploy-journey's pruning, against
 * the local Step Functions stand-in. The journey file comes from a mocked S3 client.
 */

const root = new URL('../../../', import.meta.url);
const created = S3Notification.parse(
  JSON.parse(readFileSync(new URL('test/fixtures/events/s3-object-created.json', root), 'utf8')),
);
const welcome = exampleJourneyText('welcome-series');
const templates = exampleTemplateObjects();
const MACHINE = 'journey-welcome-series';
const TASKS = ['send-message', 'evaluate', 'await-event'] as const;
const s3Client = new S3Client({ region: 'eu-west-1' });
const eventsClient = new EventBridgeClient({ region: 'eu-west-1' });
const s3 = mockClient(s3Client);
const events = mockClient(eventsClient);

let dir = '';
let db: LocalDynamo;
let server: Server;
let endpoint = '';
const machineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:${MACHINE}`;
let bucket: Map<string, string | Uint8Array>;

function deps(sfn: SFNClient, keep: number): DeployDeps {
  return {
    s3: s3Client,
    sfn,
    events: eventsClient,
    registry: new RegistryRepository(db.doc, db.tables.journeys),
    templates: new TemplateSnapshots(db.doc, db.tables.journeys),
    config: {
      eventBus: 'customer-events',
      roleArn: 'arn:aws:iam::000000000000:role/journeys',
      connections: new Map(),
      versions: { keep, maxDeletes: 25 },
      bindings: {
        sendMessageFunctionArn: functionArn('send-message'),
        evaluateFunctionArn: functionArn('evaluate'),
        awaitEventFunctionArn: functionArn('await-event'),
        profilesTableName: 'profiles',
        eventBusName: 'customer-events',
      },
    },
    now: () => new Date('2026-11-24T09:00:05Z'),
  };
}

async function versions(sfn: SFNClient): Promise<number[]> {
  const out = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: machineArn }));
  return (out.stateMachineVersions ?? []).map((v) => Number(v.stateMachineVersionArn?.split(':').at(-1)));
}

/** Deploys welcome-series once per entry, its first wait that many days: each a new version. */
async function deployEdits(sfn: SFNClient, keep: number, days: readonly number[]): Promise<void> {
  for (const d of days) {
    bucket.set('journeys/welcome-series.json', welcome.replace('"for": "P2D"', `"for": "P${d}D"`));
    expect(await deployFromS3(deps(sfn, keep), created)).toMatchObject({ status: 'deployed' });
  }
}

// A fresh stand-in per test, with no retention of its own: every deletion is deploy-journey's.
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-versions-kept-'));
  await mkdir(join(dir, 'stepfunctions'));
  const clock = new JourneyClock(Date.parse('2026-11-24T09:00:00Z'));
  const stepFunctions = new LocalStepFunctions({
    machines: await MachineStore.open(join(dir, 'stepfunctions', 'state-machines.json')),
    executions: await ExecutionLog.open(join(dir, 'stepfunctions', 'executions.jsonl')),
    // Journeys are deployed here, never run: the task functions only have to exist.
    handlers: Object.fromEntries(TASKS.map((name) => [functionArn(name), () => ({})])),
    time: runnerTime(clock),
  });
  server = createStepFunctionsServer(stepFunctions);
  endpoint = `http://127.0.0.1:${await listenOn(server, 'sfn', 0)}`;
  db = await startDynalite('deploy-versions-kept');
  bucket = fakeJourneysBucket(s3, templates);
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});
afterEach(async () => {
  await db.stop();
  await closeServer(server);
  await rm(dir, { recursive: true, force: true });
});

describe('state machine versions kept to roll back to', () => {
  it.each([1, 2, 3])('keeps %i besides the live one', async (keep) => {
    // arrange
    const sfn = new SFNClient(localClientConfig(endpoint));
    // act: more deploys than are kept
    await deployEdits(sfn, keep, [3, 4, 5, 6, 7]);
    // assert: v5 live, and the `keep` before it
    expect(await versions(sfn)).toEqual([5, 4, 3, 2, 1].slice(0, keep + 1));
  });

  it('with one kept, the live alias can be rolled back to the version before', async () => {
    // arrange
    const sfn = new SFNClient(localClientConfig(endpoint));
    await deployEdits(sfn, 1, [3, 4, 5]);
    // act: roll back by hand
    const rollBack = sfn.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: `${machineArn}:live`,
        routingConfiguration: [{ stateMachineVersionArn: `${machineArn}:2`, weight: 100 }],
      }),
    );
    // assert
    await expect(rollBack).resolves.toBeDefined();
  });

  it('an alias someone pinned to an old version is kept and not counted', async () => {
    // arrange: a canary alias on v1
    const sfn = new SFNClient(localClientConfig(endpoint));
    await deployEdits(sfn, 2, [3]);
    await sfn.send(
      new CreateStateMachineAliasCommand({
        name: 'canary',
        routingConfiguration: [{ stateMachineVersionArn: `${machineArn}:1`, weight: 100 }],
      }),
    );
    // act
    await deployEdits(sfn, 2, [4, 5, 6, 7, 8]);
    // assert: v6 live, v5 and v4 to roll back to, v1 for its alias
    expect(await versions(sfn)).toEqual([6, 5, 4, 1]);
  });
});
