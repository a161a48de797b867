import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { type DeployDeps, deployFromS3, type S3Notification } from '#functions/deploy-journey/deploy.ts';
import { MAX_COUNTED_EVENT_NAMES } from '#shared/ingest/profile-share.ts';
import { deployDeps } from '../../support/deploy-deps.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { fakeJourneysBucket } from '../../support/journeys-bucket.ts';

/**
 * The profile's share is checked and registered as one step: two journeys
 * deployed at once, each within the share alone but past it together, are
 * not both deployed — one is refused with `profile.share`, whatever the
 * interleaving of their reads and writes.
 */

const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const events = mockClient(EventBridgeClient);
let db: LocalDynamo;

beforeAll(async () => {
  db = await startDynalite('deploy-share');
  sfn.on(CreateStateMachineCommand).callsFake((input: { name: string }) => ({
    stateMachineArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${input.name}`,
    creationDate: new Date(),
  }));
  sfn.on(ListStateMachineVersionsCommand).resolves({ stateMachineVersions: [] });
  sfn.on(ListStateMachineAliasesCommand).resolves({ stateMachineAliases: [] });
  sfn.on(PublishStateMachineVersionCommand).callsFake((input: { stateMachineArn: string }) => ({
    stateMachineVersionArn: `${input.stateMachineArn}:1`,
    creationDate: new Date(),
  }));
  sfn.on(CreateStateMachineAliasCommand).callsFake((input: { name: string; description?: string }) => ({
    stateMachineAliasArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:x:${input.name}`,
    creationDate: new Date(),
  }));
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});
afterAll(async () => db.stop());

/** A journey whose audience counts `names` over a window. */
function counting(id: string, names: string[]): string {
  return JSON.stringify({
    id,
    name: id,
    trigger: { type: 'event', event: 'Go' },
    audience: { any: names.map((performed) => ({ performed, atLeast: 1, within: 'P30D' })) },
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);

function notification(id: string): S3Notification {
  return {
    'detail-type': 'Object Created',
    detail: { bucket: { name: 'journeys-bucket' }, object: { key: `journeys/${id}.json` } },
  };
}

/**
 * Deploy dependencies whose registry answers its reads of the live journeys
 * only once `readers` deploys have read them: every deploy checks before any
 * registers, the interleaving that lets two checks count the same room.
 */
function racingDeps(readers: number): DeployDeps {
  const registry = new RegistryRepository(db.doc, db.tables.journeys);
  const listLive = registry.listLive.bind(registry);
  let seen = 0;
  let release = () => {};
  const allRead = new Promise<void>((resolve) => {
    release = resolve;
  });
  registry.listLive = async () => {
    const live = await listLive();
    if (++seen >= readers) release();
    await allRead;
    return live;
  };
  return deployDeps(db, { registry });
}

describe('the profile share at deploy', () => {
  it('refuses one of two journeys deployed at once that fit alone but not together', async () => {
    // arrange: two journeys counting more than half the names there may be, none in common
    const half = MAX_COUNTED_EVENT_NAMES / 2 + 1;
    const bucket = fakeJourneysBucket(s3, [
      ['journeys/first.json', counting('first', names('Viewed', half))],
      ['journeys/second.json', counting('second', names('Clicked', half))],
    ]);
    const deps = racingDeps(2);
    // act
    const results = await Promise.all([
      deployFromS3(deps, notification('first')),
      deployFromS3(deps, notification('second')),
    ]);
    // assert
    expect(results.map((r) => r.status).sort()).toEqual(['deployed', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' ? refused.violations.map((v) => v.code) : []).toContain(
      'profile.share',
    );
    const live = await deps.registry.listLive();
    expect(live.map((j) => j.journeyId)).toHaveLength(1);
    // The refused journey took no place: once the other is archived, it fits.
    const deployed = live[0]?.journeyId ?? '';
    const other = deployed === 'first' ? 'second' : 'first';
    bucket.delete(`journeys/${deployed}.json`);
    await deployFromS3(deps, { ...notification(deployed), 'detail-type': 'Object Deleted' });
    expect(await deployFromS3(deps, notification(other))).toMatchObject({ status: 'deployed' });
  });
});
