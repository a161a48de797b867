import { readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  SFNClient,
  TagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeployDeps, deployFromS3, S3Notification } from '#functions/deploy-journey/deploy.ts';
import { deployDeps } from '../../support/deploy-deps.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import {
  exampleJourneyText,
  exampleTemplateObjects,
  fakeJourneysBucket,
} from '../../support/journeys-bucket.ts';

/**
 * The stack's tags (cost allocation) reach the journey state machines
 * deploy-journey creates at run time, where Step Functions bills journeys:
 * on creation, and on an existing one at its next deploy.
 */

const root = new URL('../../../', import.meta.url);
const created = S3Notification.parse(
  JSON.parse(readFileSync(new URL('test/fixtures/events/s3-object-created.json', root), 'utf8')),
);
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:journey-welcome-series';

let db: LocalDynamo;
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const events = mockClient(EventBridgeClient);

function deps(tags?: ReadonlyMap<string, string>): DeployDeps {
  return deployDeps(db, tags === undefined ? {} : { config: { tags } });
}

beforeEach(async () => {
  db = await startDynalite('deploy-tags');
  fakeJourneysBucket(s3, [
    ['journeys/welcome-series.json', exampleJourneyText('welcome-series')],
    ...exampleTemplateObjects(),
  ]);
  let versions = 0;
  sfn.reset();
  sfn.on(CreateStateMachineCommand).resolves({ stateMachineArn: ARN, creationDate: new Date() });
  sfn.on(UpdateStateMachineCommand).resolves({ updateDate: new Date(), revisionId: 'rev' });
  sfn.on(TagResourceCommand).resolves({});
  sfn.on(ListStateMachineVersionsCommand).resolves({ stateMachineVersions: [] });
  sfn.on(ListStateMachineAliasesCommand).resolves({ stateMachineAliases: [] });
  sfn.on(PublishStateMachineVersionCommand).callsFake(() => {
    versions += 1;
    return { stateMachineVersionArn: `${ARN}:${versions}`, creationDate: new Date() };
  });
  sfn.on(CreateStateMachineAliasCommand).resolves({ stateMachineAliasArn: `${ARN}:live` });
  sfn.on(UpdateStateMachineAliasCommand).resolves({ updateDate: new Date() });
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});
afterEach(async () => db.stop());

describe('deploy-journey: the stack tags', () => {
  const tags = new Map([
    ['team', 'growth'],
    ['cost-center', '42'],
  ]);
  const asSent = [
    { key: 'team', value: 'growth' },
    { key: 'cost-center', value: '42' },
  ];

  it('creates the state machine with them, and tags it again at the next deploy', async () => {
    // act: the first deploy creates the state machine, the second updates it
    const first = await deployFromS3(deps(tags), created);
    const second = await deployFromS3(deps(tags), created);
    // assert
    expect([first, second]).toMatchObject([{ version: '1' }, { version: '2' }]);
    expect(sfn.commandCalls(CreateStateMachineCommand)[0]?.args[0].input.tags).toEqual(asSent);
    expect(sfn.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      { resourceArn: ARN, tags: asSent },
    ]);
  });

  it('sends no tags and tags nothing when the stack has none', async () => {
    await deployFromS3(deps(), created);
    await deployFromS3(deps(new Map()), created);
    expect(sfn.commandCalls(CreateStateMachineCommand)[0]?.args[0].input).not.toHaveProperty('tags');
    expect(sfn.commandCalls(TagResourceCommand)).toHaveLength(0);
  });
});
