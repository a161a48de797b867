import { readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployFromS3, S3Notification } from '#functions/deploy-journey/deploy.ts';
import { deployDeps } from '../../support/deploy-deps.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import {
  exampleJourneyText,
  exampleTemplateObjects,
  fakeJourneysBucket,
  rejectionReport,
} from '../../support/journeys-bucket.ts';

/**
 * A deploy reads the templates its journey sends, not the whole templates
 * folder: a folder with thousands of files (another team's, a writer's, old
 * and broken ones nothing sends) costs a deploy nothing and breaks none.
 */

const root = new URL('../../../', import.meta.url);
const created = S3Notification.parse(
  JSON.parse(readFileSync(new URL('test/fixtures/events/s3-object-created.json', root), 'utf8')),
);
const welcome = exampleJourneyText('welcome-series');
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:journey-welcome-series';
const UNRELATED = 2_000;

let db: LocalDynamo;
let bucket: Map<string, string | Uint8Array>;
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const events = mockClient(EventBridgeClient);

/** The templates welcome-series sends, as named in its file. */
function sentTemplates(): string[] {
  const steps: Record<string, { template?: string }> = JSON.parse(welcome).steps;
  return [...new Set(Object.values(steps).flatMap((s) => (s.template === undefined ? [] : [s.template])))];
}

/** Template files read, by name. */
function templatesRead(): string[] {
  const keys = s3.commandCalls(GetObjectCommand).map((c) => String(c.args[0].input.Key));
  return [...new Set(keys.filter((k) => k.startsWith('journeys/templates/')))].sort();
}

beforeEach(async () => {
  db = await startDynalite('deploy-template-reads');
  const others: [string, string][] = Array.from({ length: UNRELATED }, (_, i) => [
    `journeys/templates/other-${i}.json`,
    // every tenth one broken: nothing sends them, so nothing rejects for them
    i % 10 === 0 ? '{ not json' : JSON.stringify({ channel: 'email', subject: 'Hi', html: '<p>Hi</p>' }),
  ]);
  bucket = fakeJourneysBucket(s3, [
    ['journeys/welcome-series.json', welcome],
    ...exampleTemplateObjects(),
    ...others,
  ]);
  sfn.reset();
  sfn.on(CreateStateMachineCommand).resolves({ stateMachineArn: ARN, creationDate: new Date() });
  sfn.on(ListStateMachineVersionsCommand).resolves({ stateMachineVersions: [] });
  sfn.on(ListStateMachineAliasesCommand).resolves({ stateMachineAliases: [] });
  sfn.on(PublishStateMachineVersionCommand).resolves({ stateMachineVersionArn: `${ARN}:1` });
  sfn.on(CreateStateMachineAliasCommand).resolves({ stateMachineAliasArn: `${ARN}:live` });
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});
afterEach(async () => db.stop());

describe('deploy-journey: the templates it reads', () => {
  it('reads only those the journey sends, whatever else the folder holds', async () => {
    // act
    const result = await deployFromS3(deployDeps(db), created);
    // assert
    expect(result).toMatchObject({ status: 'deployed', journeyId: 'welcome-series' });
    const sent = sentTemplates().map((name) => `journeys/templates/${name}.json`);
    expect(sent.length).toBeGreaterThan(0);
    expect(templatesRead()).toEqual(sent.sort());
  });

  it('still rejects a journey naming a template that is not there, or one that is broken', async () => {
    // arrange: its first template gone, its second broken
    const [gone, broken] = sentTemplates();
    bucket.delete(`journeys/templates/${gone}.json`);
    bucket.set(`journeys/templates/${broken}.json`, '{ not json');
    // act
    const result = await deployFromS3(deployDeps(db), created);
    // assert
    expect(result).toMatchObject({ status: 'rejected', journeyId: 'welcome-series' });
    const messages = rejectionReport(bucket, 'journeys/welcome-series.rejected.json').violations.map(
      (v: { message: string }) => v.message,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`There is no template "${gone}"`),
        expect.stringContaining(`The template "${broken}" is`),
      ]),
    );
  });
});
