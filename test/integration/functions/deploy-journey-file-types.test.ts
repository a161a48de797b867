import { readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeployDeps, deployFromS3, S3Notification } from '#functions/deploy-journey/deploy.ts';
import { journeyObjectPattern, matchesPattern } from '#infra/routes.ts';
import { deployDeps } from '../../support/deploy-deps.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import {
  exampleJourneyText,
  exampleTemplateObjects,
  fakeJourneysBucket,
  rejectionReport,
} from '../../support/journeys-bucket.ts';

/**
 * A journey saved beside the others under a name that is not `<id>.json` —
 * `.JSON`, an editor's `.txt` added, YAML — reaches deploy-journey and is
 * answered with a report beside it, never deployed; other files are left alone.
 */

const root = new URL('../../../', import.meta.url);
/** An S3 "Object Created" event as EventBridge delivers it, source and all. */
const createdEvent: { detail: { object: object } } = JSON.parse(
  readFileSync(new URL('test/fixtures/events/s3-object-created.json', root), 'utf8'),
);
const created = S3Notification.parse(createdEvent);
const welcome = exampleJourneyText('welcome-series');

let db: LocalDynamo;
let bucket: Map<string, string | Uint8Array>;
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const events = mockClient(EventBridgeClient);

function deps(): DeployDeps {
  return deployDeps(db);
}

/** The S3 event of `kind` for `key`, as EventBridge delivers it to the deploy rule. */
const eventAt = (key: string, kind: 'Object Created' | 'Object Deleted' = 'Object Created') => ({
  ...createdEvent,
  'detail-type': kind,
  detail: { ...createdEvent.detail, object: { key } },
});
const at = (key: string, kind: 'Object Created' | 'Object Deleted' = 'Object Created') =>
  S3Notification.parse(eventAt(key, kind));

const sentTypes = () =>
  events
    .commandCalls(PutEventsCommand)
    .flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => e.DetailType));

beforeEach(async () => {
  db = await startDynalite('deploy-file-types');
  bucket = fakeJourneysBucket(s3, [['journeys/welcome-series.json', welcome], ...exampleTemplateObjects()]);
  sfn.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});
afterEach(async () => db.stop());

describe('deploy-journey: a journey saved under another extension', () => {
  it.each([['welcome-series.JSON'], ['welcome-series.json.txt'], ['welcome-series.yaml']])(
    'answers journeys/%s with a report naming the file to save it as, and deploys nothing',
    async (name) => {
      // arrange: the notification reaches deploy-journey at all
      const key = `journeys/${name}`;
      bucket.set(key, welcome);
      expect(matchesPattern(journeyObjectPattern(created.detail.bucket.name), eventAt(key))).toBe(true);
      // act
      const result = await deployFromS3(deps(), at(key));
      // assert: rejected with a report beside it, the file unread and nothing deployed
      expect(result).toMatchObject({ status: 'rejected', journeyId: name });
      expect(rejectionReport(bucket, `journeys/${name}.rejected.json`).violations).toEqual([
        expect.objectContaining({
          code: 'id.file-name',
          message: expect.stringContaining('save it, in JSON, as journeys/welcome-series.json'),
        }),
      ]);
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
      expect(sfn.commandCalls(CreateStateMachineCommand)).toHaveLength(0);
      expect(sentTypes()).toEqual(['Journey Rejected']);
    },
  );

  it('deletes the report with the file', async () => {
    // arrange
    bucket.set('journeys/welcome-series.JSON', welcome);
    await deployFromS3(deps(), at('journeys/welcome-series.JSON'));
    expect(bucket.has('journeys/welcome-series.JSON.rejected.json')).toBe(true);
    // act
    bucket.delete('journeys/welcome-series.JSON');
    const result = await deployFromS3(deps(), at('journeys/welcome-series.JSON', 'Object Deleted'));
    // assert
    expect(result).toEqual({ status: 'ignored', key: 'journeys/welcome-series.JSON' });
    expect(bucket.has('journeys/welcome-series.JSON.rejected.json')).toBe(false);
  });

  it('suggests no name when the file name holds no journey id', async () => {
    bucket.set('journeys/Welcome Series.yml', welcome);
    await deployFromS3(deps(), at('journeys/Welcome Series.yml'));
    const [violation] = rejectionReport(bucket, 'journeys/Welcome Series.yml.rejected.json').violations;
    expect(violation?.message).toMatch(/^The file "Welcome Series\.yml" is not deployed: /);
    expect(violation?.message).not.toContain('save it');
  });

  it.each([
    ['journeys/README.md'],
    ['journeys/welcome-series.json~'],
    ['journeys/.welcome-series.json.swp'],
    ['journeys/examples/welcome-series.yaml'],
    ['journeys/welcome-series.JSON.rejected.json'],
  ])('leaves %s alone: no report, no event', async (key) => {
    bucket.set(key, 'x');
    const before = new Set(bucket.keys());
    const result = await deployFromS3(deps(), at(key));
    expect(result).toEqual({ status: 'ignored', key });
    expect(new Set(bucket.keys())).toEqual(before);
    expect(sentTypes()).toEqual([]);
  });
});
