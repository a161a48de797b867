import { readdirSync, readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  PublishStateMachineVersionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { TemplateSnapshots } from '#functions/_lib/templates.ts';
import { type DeployDeps, deployFromS3, type S3Notification } from '#functions/deploy-journey/deploy.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { mockedClient } from '../../support/mocked-clients.ts';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const GROUP = 'Journeys-journeys';
const TARGET = 'arn:aws:lambda:eu-west-1:123456789012:function:segment-entry';
const ROLE = 'arn:aws:iam::123456789012:role/scheduler';
const DEAD_LETTERS = 'arn:aws:sqs:eu-west-1:123456789012:dead-letters';

let db: LocalDynamo;
let files: Map<string, string>;
let schedules: Set<string>;
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const events = mockClient(EventBridgeClient);
const scheduler = mockClient(SchedulerClient);

/** A bucket of the repository's journeys and templates, and a Scheduler that knows which schedules exist. */
function fakes() {
  files = new Map([
    ...['re-engagement', 'renewal-reminder', 'welcome-series'].map((id): [string, string] => [
      `journeys/${id}.json`,
      read(`journeys/${id}.json`),
    ]),
    ...readdirSync(new URL('journeys/templates/', root)).map((f): [string, string] => [
      `journeys/templates/${f}`,
      read(`journeys/templates/${f}`),
    ]),
  ]);
  s3.reset();
  s3.onAnyCommand().resolves({});
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const text = files.get(input.Key) ?? '';
    return { Body: { transformToByteArray: async () => new TextEncoder().encode(text) } };
  });
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
    Contents: [...files.keys()].filter((k) => k.startsWith(input.Prefix)).map((Key) => ({ Key })),
  }));
  sfn.reset();
  sfn.onAnyCommand().resolves({});
  sfn.on(CreateStateMachineCommand).callsFake((input: { name: string }) => ({
    stateMachineArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${input.name}`,
  }));
  sfn.on(PublishStateMachineVersionCommand).callsFake((input: { stateMachineArn: string }) => ({
    stateMachineVersionArn: `${input.stateMachineArn}:1`,
  }));
  sfn.on(CreateStateMachineAliasCommand).resolves({ stateMachineAliasArn: 'alias' });
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  schedules = new Set();
  scheduler.reset();
  const missing = () => Object.assign(new Error('no schedule'), { name: 'ResourceNotFoundException' });
  scheduler.on(UpdateScheduleCommand).callsFake((input: { Name: string }) => {
    if (!schedules.has(input.Name)) throw missing();
    return {};
  });
  scheduler.on(CreateScheduleCommand).callsFake((input: { Name: string }) => {
    schedules.add(input.Name);
    return {};
  });
  scheduler.on(DeleteScheduleCommand).callsFake((input: { Name: string }) => {
    if (!schedules.delete(input.Name)) throw missing();
    return {};
  });
}

function deps(): DeployDeps {
  return {
    s3: mockedClient(S3Client),
    sfn: mockedClient(SFNClient),
    events: mockedClient(EventBridgeClient),
    registry: new RegistryRepository(db.doc, db.tables.journeys),
    templates: new TemplateSnapshots(db.doc, db.tables.journeys),
    config: {
      eventBus: 'customer-events',
      roleArn: 'arn:aws:iam::123456789012:role/journeys',
      versions: { keep: 20, maxDeletes: 25 },
      connections: new Map(),
      bindings: {
        sendMessageFunctionArn: 'send',
        evaluateFunctionArn: 'evaluate',
        awaitEventFunctionArn: 'await',
        profilesTableName: 'profiles',
        eventBusName: 'customer-events',
      },
    },
    schedules: {
      scheduler: mockedClient(SchedulerClient),
      groupName: GROUP,
      targetArn: TARGET,
      roleArn: ROLE,
      deadLetterArn: DEAD_LETTERS,
    },
    now: () => new Date('2026-11-24T09:00:05Z'),
  };
}

function notification(kind: 'Object Created' | 'Object Deleted', id: string): S3Notification {
  return {
    'detail-type': kind,
    detail: { bucket: { name: 'journeys-bucket' }, object: { key: `journeys/${id}.json` } },
  };
}

const calls = () => ({
  created: scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input),
  updated: scheduler.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input),
  deleted: scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input),
});

beforeAll(async () => {
  db = await startDynalite('schedules');
});
afterAll(async () => db.stop());
beforeEach(() => fakes());

describe('deploy-journey: segment schedules', () => {
  it('creates the schedule of an active segment journey, invoking segment-entry with the run time', async () => {
    // act
    const result = await deployFromS3(deps(), notification('Object Created', 're-engagement'));
    // assert
    expect(result).toMatchObject({ status: 'deployed' });
    const [created] = calls().created;
    expect(created).toEqual({
      Name: 'journey-re-engagement',
      GroupName: GROUP,
      ScheduleExpression: 'cron(0 9 ? * MON *)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Description: expect.any(String),
      Target: {
        Arn: TARGET,
        RoleArn: ROLE,
        Input: JSON.stringify({
          journeyId: 're-engagement',
          scheduledTime: '<aws.scheduler.scheduled-time>',
        }),
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
        // A run Scheduler could not hand to segment-entry after its retries is kept, not dropped.
        DeadLetterConfig: { Arn: DEAD_LETTERS },
      },
    });
  });

  it('updates it on a redeploy, disables it when paused, and deletes it when archived', async () => {
    // arrange
    await deployFromS3(deps(), notification('Object Created', 'renewal-reminder'));
    const paused = JSON.parse(read('journeys/renewal-reminder.json'));
    files.set('journeys/renewal-reminder.json', JSON.stringify({ ...paused, status: 'paused' }));
    // act
    await deployFromS3(deps(), notification('Object Created', 'renewal-reminder'));
    files.delete('journeys/renewal-reminder.json');
    await deployFromS3(deps(), notification('Object Deleted', 'renewal-reminder'));
    // assert
    const { created, updated, deleted } = calls();
    expect(created.map((c) => [c.Name, c.ScheduleExpression, c.ScheduleExpressionTimezone])).toEqual([
      ['journey-renewal-reminder', 'rate(1 day)', undefined],
    ]);
    expect(updated.map((u) => u.State)).toEqual(['ENABLED', 'DISABLED']);
    expect(deleted).toEqual([{ Name: 'journey-renewal-reminder', GroupName: GROUP }]);
    expect(schedules.size).toBe(0);
  });

  it('deletes the schedule when a journey stops being segment-triggered', async () => {
    await deployFromS3(deps(), notification('Object Created', 're-engagement'));
    const journey = JSON.parse(read('journeys/re-engagement.json'));
    const byEvent = { ...journey, trigger: { type: 'event', event: 'App Closed' } };
    files.set('journeys/re-engagement.json', JSON.stringify(byEvent));
    await deployFromS3(deps(), notification('Object Created', 're-engagement'));
    expect(calls().deleted.map((d) => d.Name)).toEqual(['journey-re-engagement']);
    expect(schedules.size).toBe(0);
  });

  it('leaves event-triggered journeys alone, deployed or deleted', async () => {
    await deployFromS3(deps(), notification('Object Created', 'welcome-series'));
    files.delete('journeys/welcome-series.json');
    await deployFromS3(deps(), notification('Object Deleted', 'welcome-series'));
    expect(scheduler.calls()).toHaveLength(0);
  });
});
