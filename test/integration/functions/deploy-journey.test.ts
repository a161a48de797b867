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
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { StatsRetention } from '#functions/_lib/stats-retention.ts';
import { TemplateSnapshots } from '#functions/_lib/templates.ts';
import { type DeployDeps, deployFromS3, S3Notification } from '#functions/deploy-journey/deploy.ts';
import { deployDeps } from '../../support/deploy-deps.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import {
  exampleJourneyText,
  exampleTemplateObjects,
  fakeJourneysBucket,
  rejectionReport,
} from '../../support/journeys-bucket.ts';

const root = new URL('../../../', import.meta.url);
const created = S3Notification.parse(
  JSON.parse(readFileSync(new URL('test/fixtures/events/s3-object-created.json', root), 'utf8')),
);
const deleted = S3Notification.parse(
  JSON.parse(readFileSync(new URL('test/fixtures/events/s3-object-deleted.json', root), 'utf8')),
);
const welcome = exampleJourneyText('welcome-series');
const templates = exampleTemplateObjects();

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:journey-welcome-series';
const CRM_ARN = 'arn:aws:events:eu-west-1:123456789012:connection/Journeys-crm/8d1f';

/** welcome-series reduced to one webhook step on `connection`. */
function webhookJourney(connection: string): string {
  return JSON.stringify({
    id: 'welcome-series',
    name: 'Welcome',
    trigger: { type: 'identify' },
    context: { tier: { type: 'string' } },
    start: 'crm',
    steps: {
      crm: {
        type: 'webhook',
        connection,
        url: 'https://crm.example.com/v1/signups',
        response: { tier: 'body.tier' },
        next: 'done',
      },
      done: { type: 'exit' },
    },
  });
}
let db: LocalDynamo;
let bucket: Map<string, string | Uint8Array>;
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const events = mockClient(EventBridgeClient);

/** A small in-memory Step Functions: versions count up, the alias points at one. */
function fakeStepFunctions() {
  let versions = 0;
  let alias: string | undefined;
  sfn.reset();
  sfn.on(CreateStateMachineCommand).resolves({ stateMachineArn: ARN, creationDate: new Date() });
  sfn.on(UpdateStateMachineCommand).resolves({ updateDate: new Date(), revisionId: 'rev' });
  // Pruning old versions finds none to delete (deploy-journey-versions.test.ts covers it).
  sfn.on(ListStateMachineVersionsCommand).resolves({ stateMachineVersions: [] });
  sfn.on(ListStateMachineAliasesCommand).resolves({ stateMachineAliases: [] });
  sfn.on(PublishStateMachineVersionCommand).callsFake(() => {
    versions += 1;
    return { stateMachineVersionArn: `${ARN}:${versions}`, creationDate: new Date() };
  });
  sfn
    .on(CreateStateMachineAliasCommand)
    .callsFake((input: { routingConfiguration: { stateMachineVersionArn: string }[] }) => {
      alias = input.routingConfiguration[0]?.stateMachineVersionArn;
      return { stateMachineAliasArn: `${ARN}:live`, creationDate: new Date() };
    });
  sfn
    .on(UpdateStateMachineAliasCommand)
    .callsFake((input: { routingConfiguration: { stateMachineVersionArn: string }[] }) => {
      alias = input.routingConfiguration[0]?.stateMachineVersionArn;
      return { updateDate: new Date() };
    });
  return { alias: () => alias };
}

/** Every item of the welcome-series journey in the registry table. */
async function journeyItems(): Promise<Record<string, unknown>[]> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tables.journeys,
      KeyConditionExpression: 'journeyId = :id',
      ExpressionAttributeValues: { ':id': 'welcome-series' },
    }),
  );
  return out.Items ?? [];
}

function deps(): DeployDeps {
  return deployDeps(db, {
    stats: new StatsRetention(db.doc, db.tables.stats),
    config: {
      logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/journeys:*',
      connections: new Map([['crm', 'https://crm.example.com/v1']]),
      bindings: { connectionArns: new Map([['crm', CRM_ARN]]) },
    },
  });
}

function sentEvents() {
  return events.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
}

// Each test starts with an empty registry: whether a deploy creates or updates is the test's own doing.
beforeEach(async () => {
  db = await startDynalite('deploy');
  bucket = fakeJourneysBucket(s3, [['journeys/welcome-series.json', welcome], ...templates]);
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});
afterEach(async () => db.stop());

describe('deploy-journey', () => {
  it('says a published version is live as its file says: paused, a draft', async () => {
    // arrange: the welcome series paused, then back as a draft
    fakeStepFunctions();
    const as = (status: string) => {
      bucket.set('journeys/welcome-series.json', JSON.stringify({ ...JSON.parse(welcome), status }));
    };
    // act
    as('paused');
    const paused = await deployFromS3(deps(), created);
    as('draft');
    const draft = await deployFromS3(deps(), created);
    // assert
    expect([paused, draft]).toMatchObject([
      { status: 'deployed', journeyStatus: 'paused' },
      { status: 'deployed', journeyStatus: 'draft' },
    ]);
  });

  it("names the state machine with the stack's prefix, so that another stack's journey of the same id is another", async () => {
    // arrange
    fakeStepFunctions();
    const staging = deps();
    staging.config.namePrefix = 'journeys-staging-journey-';
    // act
    await deployFromS3(staging, created);
    // assert
    expect(sfn.commandCalls(CreateStateMachineCommand)[0]?.args[0].input.name).toBe(
      'journeys-staging-journey-welcome-series',
    );
  });

  it('validates, compiles, creates the state machine, publishes v1 and points live at it', async () => {
    const machine = fakeStepFunctions();
    const result = await deployFromS3(deps(), created);
    expect(result).toEqual({
      status: 'deployed',
      journeyId: 'welcome-series',
      version: '1',
      journeyStatus: 'active',
    });
    const create = sfn.commandCalls(CreateStateMachineCommand)[0]?.args[0].input;
    expect(create).toMatchObject({
      name: 'journey-welcome-series',
      type: 'STANDARD',
      roleArn: 'arn:aws:iam::123456789012:role/journeys',
      // Failures are logged, without the customer data an execution carries.
      loggingConfiguration: {
        level: 'ERROR',
        includeExecutionData: false,
        destinations: [
          {
            cloudWatchLogsLogGroup: {
              logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/journeys:*',
            },
          },
        ],
      },
    });
    expect(JSON.parse(create?.definition ?? '{}').StartAt).toBeTypeOf('string');
    expect(create?.definition).toContain('function:send-message');
    expect(machine.alias()).toBe(`${ARN}:1`);
    const entry = await deps().registry.get('welcome-series');
    expect(entry).toMatchObject({
      status: 'active',
      version: '1',
      aliasArn: `${ARN}:live`,
      sourceVersionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
      trigger: { type: 'identify' },
      goal: { event: 'Project Created' },
      exitOn: [{ event: 'Account Deleted' }],
    });
    expect(sentEvents().map((e) => [e.Source, e.DetailType])).toEqual([
      ['journeys.system', 'Journey Deployed'],
    ]);
  });

  it('updates on a second upload: version 2, alias moved, history kept', async () => {
    const machine = fakeStepFunctions();
    await deployFromS3(deps(), created);
    await deployFromS3(deps(), created);
    expect(sfn.commandCalls(UpdateStateMachineCommand)).not.toHaveLength(0);
    expect(machine.alias()).toBe(`${ARN}:2`);
    const registry = deps().registry;
    expect((await registry.get('welcome-series'))?.history.map((h) => h.version).slice(0, 2)).toEqual([
      '2',
      '1',
    ]);
  });

  it('keeps one registry item per journey however often it is deployed, and removes the per-version items earlier releases wrote', async () => {
    fakeStepFunctions();
    for (const version of ['000001', '000002', '000003'])
      await db.doc.send(
        new PutCommand({
          TableName: db.tables.journeys,
          Item: { journeyId: 'welcome-series', sk: `v#${version}`, version: String(Number(version)) },
        }),
      );
    for (let deploy = 0; deploy < 3; deploy += 1) await deployFromS3(deps(), created);
    const items = await journeyItems();
    expect(items.filter((item) => !String(item.sk).startsWith('t#')).map((item) => item.sk)).toEqual([
      'live',
    ]);
    expect((await deps().registry.get('welcome-series'))?.history).toHaveLength(3);
  });

  it('keeps the templates no live version pins for a year and a day, then lets them expire; content changed back is live again', async () => {
    const machine = fakeStepFunctions();
    const templateEvent = {
      ...created,
      detail: { ...created.detail, object: { key: 'journeys/templates/welcome.json' } },
    };
    const original = bucket.get('journeys/templates/welcome.json');
    await deployFromS3(deps(), created);
    const snapshots = async () =>
      new Map(
        (await journeyItems())
          .filter((i) => String(i.sk).startsWith('t#welcome@'))
          .map((i) => [i.sk, i.expiresAt]),
      );
    const [first] = [...(await snapshots()).keys()];
    // act: the template is edited, then changed back
    bucket.set(
      'journeys/templates/welcome.json',
      JSON.stringify({ channel: 'email', subject: 'New', html: 'n', text: 'n' }),
    );
    await deployFromS3(deps(), templateEvent);
    const edited = await snapshots();
    const second = [...edited.keys()].find((sk) => sk !== first);
    // assert: the first content expires a year and a day after the deploy that stopped pinning it
    const deployedAt = Date.parse('2026-11-24T09:00:05Z') / 1000;
    expect(edited.get(first)).toBe(deployedAt + 367 * 86_400);
    expect(edited.get(second)).toBeUndefined();
    if (original !== undefined) bucket.set('journeys/templates/welcome.json', original);
    const reverted = await deployFromS3(deps(), templateEvent);
    expect(reverted).toMatchObject({ results: [{ status: 'deployed', version: '3' }] });
    expect(machine.alias()).toBe(`${ARN}:3`);
    const after = await snapshots();
    expect(after.get(first)).toBeUndefined();
    expect(after.get(second)).toBe(deployedAt + 367 * 86_400);
    // Archiving retires what the last version pinned: its executions may still send it.
    bucket.delete('journeys/welcome-series.json');
    await deployFromS3(deps(), deleted);
    expect([...(await snapshots()).values()].every((at) => at === deployedAt + 367 * 86_400)).toBe(true);
  });

  it("gives a version's results an expiry once it stops taking entries (a deploy replaces it, archiving), two years and two days on; the live version's and the days' keep theirs", async () => {
    // arrange: counts of version 1 in every shard, with a send (a step item and a day item)
    fakeStepFunctions();
    let draw = 0;
    const stats = new StatsRepository(db.doc, db.tables.stats, { random: () => (draw++ % 8) / 8 });
    const journey = 'welcome-series';
    const count = async (version: string) => {
      for (let n = 0; n < 8; n += 1)
        await stats.recordEnrollment({ journeyId: journey, version, variants: [] });
      await stats.recordSend({
        journeyId: journey,
        version,
        stepId: 'welcome-email',
        channel: 'email',
        status: 'sent',
        at: new Date('2026-11-24T09:00:00Z'),
      });
    };
    const items = async () => {
      const all: Record<string, unknown>[] = [];
      for (let shard = 0; shard < 8; shard += 1) {
        const out = await db.doc.send(
          new QueryCommand({
            TableName: db.tables.stats,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `${journey}#${shard}` },
          }),
        );
        all.push(...(out.Items ?? []));
      }
      return all;
    };
    const expiries = async (prefix: string) =>
      new Set((await items()).filter((i) => String(i.sk).startsWith(prefix)).map((i) => i.expiresAt));
    const deployedAt = Date.parse('2026-11-24T09:00:05Z') / 1000;
    const expires = deployedAt + 2 * 366 * 86_400;
    await deployFromS3(deps(), created);
    await count('1');
    const day = await expiries('=d#');
    // act: version 2 replaces it
    await deployFromS3(deps(), created);
    await count('2');
    // assert
    expect((await items()).filter((i) => String(i.sk).startsWith('=v#1#'))).toHaveLength(8);
    expect(await expiries('=v#1#')).toEqual(new Set([expires]));
    expect(await expiries('=s#1#')).toEqual(new Set([expires]));
    expect(await expiries('=v#2#')).toEqual(new Set([undefined]));
    expect(await expiries('=s#2#')).toEqual(new Set([undefined]));
    expect(await expiries('=d#')).toEqual(day);
    const retention = new StatsRetention(db.doc, db.tables.stats);
    expect(await retention.retired(journey)).toEqual([{ version: '1', expiresAt: expires }]);
    // act: archiving stops the live version's entries too
    bucket.delete('journeys/welcome-series.json');
    await deployFromS3(deps(), deleted);
    expect(await expiries('=v#2#')).toEqual(new Set([expires]));
    expect(await expiries('=s#')).toEqual(new Set([expires]));
    expect((await retention.retired(journey)).map((r) => r.version)).toEqual(['2', '1']);
    // act: version 2 taken live again (a rollback moves the alias back to it)
    await retention.retire(journey, { keep: '2', at: new Date('2026-12-01T00:00:00Z') });
    // assert: it keeps its results while it takes entries; version 1's expiry and the days' stay
    expect(await expiries('=v#2#')).toEqual(new Set([undefined]));
    expect(await expiries('=s#2#')).toEqual(new Set([undefined]));
    expect(await expiries('=v#1#')).toEqual(new Set([expires]));
    expect(await expiries('=d#')).toEqual(day);
  });

  it('deploys a journey file saved with a byte order mark, as `journeys validate` reads it', async () => {
    // arrange: Windows editors write EF BB BF before the JSON
    const machine = fakeStepFunctions();
    const text = new TextEncoder().encode(`\uFEFF${welcome}`);
    bucket.set('journeys/welcome-series.json', text);
    // act
    const result = await deployFromS3(deps(), created);
    // assert
    expect(result).toEqual({
      status: 'deployed',
      journeyId: 'welcome-series',
      version: '1',
      journeyStatus: 'active',
    });
    expect(machine.alias()).toBe(`${ARN}:1`);
  });

  it.each([
    {
      why: 'not UTF-8 (saved as Latin-1)',
      bytes: Uint8Array.from(Buffer.from(welcome.replace('"name": "', '"name": "Café '), 'latin1')),
      says: /^The file is not UTF-8 text \(near byte \d+, line 4\): save it as UTF-8\.$/,
    },
    {
      why: 'a syntax error',
      bytes: new TextEncoder().encode(welcome.replace('"start": "welcome-email"', 'start: "welcome-email"')),
      says: /^The file is not valid JSON: .* at line 26, column 3\.$/,
    },
    { why: 'empty', bytes: new Uint8Array(), says: /^The file is empty: a JSON document was expected\.$/ },
    {
      why: 'written with a key twice',
      bytes: new TextEncoder().encode(welcome.replace(/^\{/, '{\n  "name": "Copy",')),
      says: /^The file is written with the key "name" twice in the top-level object \(line 2, column 3 and line \d+, column 3\); JSON keeps only the last/,
    },
  ])(
    'rejects a journey file that is $why, saying where, and leaves the live version',
    async ({ bytes, says }) => {
      // arrange
      const machine = fakeStepFunctions();
      await deployFromS3(deps(), created);
      bucket.set('journeys/welcome-series.json', bytes);
      // act
      const result = await deployFromS3(deps(), created);
      // assert
      expect(result).toMatchObject({ status: 'rejected' });
      const [problem, ...more] = rejectionReport(bucket, 'journeys/welcome-series.rejected.json').violations;
      expect(more).toEqual([]);
      expect(problem).toMatchObject({ path: '', code: 'json.invalid' });
      expect(problem?.message).toMatch(says);
      expect(machine.alias()).toBe(`${ARN}:1`);
    },
  );

  it('rejects an invalid upload with a report listing every violation; live stays untouched', async () => {
    const machine = fakeStepFunctions();
    await deployFromS3(deps(), created);
    const before = await deps().registry.get('welcome-series');
    const broken = JSON.parse(welcome);
    broken.start = 'nowhere';
    broken.steps['welcome-email'].template = 'no-such-template';
    bucket.set('journeys/welcome-series.json', JSON.stringify(broken));
    const result = await deployFromS3(deps(), created);
    expect(result.status).toBe('rejected');
    const report = rejectionReport(bucket, 'journeys/welcome-series.rejected.json');
    expect(report.violations.map((v: { code: string }) => v.code)).toEqual(
      expect.arrayContaining(['start.dangling', 'template.missing']),
    );
    const rejected = sentEvents().find((e) => e.DetailType === 'Journey Rejected');
    expect(JSON.parse(rejected?.Detail ?? '{}').violations).toEqual(report.violations);
    expect(machine.alias()).toBe(`${ARN}:1`);
    expect(await deps().registry.get('welcome-series')).toEqual(before);
  });

  it.each([
    ['a journey file', 'journeys/welcome-series.json'],
    ['a template it sends', 'journeys/templates/welcome.json'],
  ])('rejects %s past 4 MB without reading it, and leaves the live version', async (_what, key) => {
    // arrange: a data export of 5 MB saved over the file
    const machine = fakeStepFunctions();
    await deployFromS3(deps(), created);
    bucket.set(key, `[${'"a row of the export",'.repeat(250_000)}""]`);
    // act
    const result = await deployFromS3(deps(), created);
    // assert
    expect(result.status).toBe('rejected');
    const report = rejectionReport(bucket, 'journeys/welcome-series.rejected.json');
    expect(report.violations.map((v) => v.message).join(' ')).toMatch(
      /is 5\.\d MB; a file read here can be at most 4\.0 MB/,
    );
    expect(machine.alias()).toBe(`${ARN}:1`);
  });

  it('announces the rejection of a file with more problems than an event holds, the report keeping them all', async () => {
    // arrange: every step has an unknown field with a long name, each quoted by its violation
    fakeStepFunctions();
    const broken = JSON.parse(welcome);
    for (let i = 0; i < 400; i++)
      broken.steps[`step-${i}`] = { type: 'exit', [`field-${i}-${'x'.repeat(1000)}`]: true };
    bucket.set('journeys/welcome-series.json', JSON.stringify(broken));
    // act
    const result = await deployFromS3(deps(), created);
    // assert: the event fits an EventBridge entry and says where the rest is
    const report = rejectionReport(bucket, 'journeys/welcome-series.rejected.json');
    expect(result.status).toBe('rejected');
    expect(report.violations.length).toBeGreaterThanOrEqual(400);
    const entry = sentEvents().find((e) => e.DetailType === 'Journey Rejected');
    expect(new TextEncoder().encode(entry?.Detail ?? '').length).toBeLessThan(256 * 1024);
    const detail = JSON.parse(entry?.Detail ?? '{}');
    expect(detail.violations.length).toBeGreaterThan(0);
    expect(detail.violations).toEqual(report.violations.slice(0, detail.violations.length));
    expect(detail).toMatchObject({
      violationCount: report.violations.length,
      report: 'journeys/welcome-series.rejected.json',
    });
  });

  it("compiles a webhook step to an HTTP Task through the stack's connection ARN", async () => {
    fakeStepFunctions();
    bucket.set('journeys/welcome-series.json', webhookJourney('crm'));
    const result = await deployFromS3(deps(), created);
    expect(result).toMatchObject({ status: 'deployed', version: '1' });
    const definition = sfn.commandCalls(CreateStateMachineCommand)[0]?.args[0].input.definition ?? '{}';
    const tasks: unknown[] = [];
    JSON.parse(definition, (_key, value) => {
      if (value?.Resource === 'arn:aws:states:::http:invoke') tasks.push(value);
      return value;
    });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      Resource: 'arn:aws:states:::http:invoke',
      Parameters: {
        ApiEndpoint: 'https://crm.example.com/v1/signups',
        Authentication: { ConnectionArn: CRM_ARN },
      },
    });
  });

  it('rejects a webhook step naming a connection the stack does not define, at its path', async () => {
    const machine = fakeStepFunctions();
    bucket.set('journeys/welcome-series.json', webhookJourney('billing'));
    const result = await deployFromS3(deps(), created);
    expect(result.status).toBe('rejected');
    const report = rejectionReport(bucket, 'journeys/welcome-series.rejected.json');
    expect(report.violations).toEqual([
      expect.objectContaining({
        path: 'steps.crm.connection',
        code: 'webhook.connection',
        message: expect.stringContaining('Unknown connection "billing"; the stack defines: crm'),
      }),
    ]);
    expect(machine.alias()).toBeUndefined();
  });

  it.each([
    'journeys/welcome-series.rejected.json',
    'journeys/Welcome_Series.rejected.json',
    'journeys/journey.schema.json',
    'journeys/examples/Any Name.json',
    'journeys/readme.md',
    'other/x.json',
  ])('ignores %s', async (key) => {
    fakeStepFunctions();
    const result = await deployFromS3(deps(), {
      ...created,
      detail: { ...created.detail, object: { key } },
    });
    expect(result).toEqual({ status: 'ignored', key });
  });

  it('rejects a file whose name is not a journey id, naming the file to save it as; deleting it deletes the report', async () => {
    // arrange: the welcome series saved under a name of the marketer's choosing
    fakeStepFunctions();
    bucket.set('journeys/Welcome_Series.json', welcome);
    const at = (key: string, kind: 'Object Created' | 'Object Deleted') =>
      S3Notification.parse({
        ...created,
        'detail-type': kind,
        detail: { ...created.detail, object: { key } },
      });
    // act
    const result = await deployFromS3(deps(), at('journeys/Welcome_Series.json', 'Object Created'));
    // assert: rejected with a report beside it, and nothing deployed
    expect(result).toMatchObject({ status: 'rejected', journeyId: 'Welcome_Series' });
    const report = rejectionReport(bucket, 'journeys/Welcome_Series.rejected.json');
    expect(report.violations).toEqual([
      expect.objectContaining({
        code: 'id.file-name',
        message: expect.stringContaining('save it as journeys/welcome-series.json'),
      }),
    ]);
    expect(sfn.commandCalls(CreateStateMachineCommand)).toHaveLength(0);
    expect(sentEvents().map((e) => e.DetailType)).toEqual(['Journey Rejected']);
    // act: the file is removed
    bucket.delete('journeys/Welcome_Series.json');
    await deployFromS3(deps(), at('journeys/Welcome_Series.json', 'Object Deleted'));
    // assert
    expect(bucket.has('journeys/Welcome_Series.rejected.json')).toBe(false);
  });

  it('deploys nothing from a late notification of a version replaced or deleted since', async () => {
    // arrange: version A of the file was uploaded, then B, and B's notification deployed B
    let current: string | undefined = 'B';
    bucket = fakeJourneysBucket(s3, [['journeys/welcome-series.json', welcome], ...templates], () => current);
    const machine = fakeStepFunctions();
    const of = (versionId: string) =>
      S3Notification.parse({
        ...created,
        detail: { ...created.detail, object: { ...created.detail.object, 'version-id': versionId } },
      });
    await deployFromS3(deps(), of('B'));
    // act: A's notification comes last (a retry), then B's again after the file was deleted
    const lateA = await deployFromS3(deps(), of('A'));
    bucket.delete('journeys/welcome-series.json');
    current = undefined;
    const lateB = await deployFromS3(deps(), of('B'));
    // assert: B stays live, from B
    expect([lateA, lateB]).toEqual([
      { status: 'superseded', journeyId: 'welcome-series' },
      { status: 'superseded', journeyId: 'welcome-series' },
    ]);
    expect(machine.alias()).toBe(`${ARN}:1`);
    expect((await deps().registry.get('welcome-series'))?.sourceVersionId).toBe('B');
  });

  it('archives the journey when its file is deleted', async () => {
    fakeStepFunctions();
    await deployFromS3(deps(), created);
    bucket.delete('journeys/welcome-series.json');
    const result = await deployFromS3(deps(), deleted);
    expect(result).toEqual({ status: 'archived', journeyId: 'welcome-series' });
    expect((await deps().registry.get('welcome-series'))?.status).toBe('archived');
  });

  it('removes the per-version items earlier releases wrote when the journey is archived', async () => {
    // arrange: live, with items an earlier release wrote per version (no deploy follows to remove them)
    fakeStepFunctions();
    await deployFromS3(deps(), created);
    for (let version = 1; version <= 150; version++)
      await db.doc.send(
        new PutCommand({
          TableName: db.tables.journeys,
          Item: { journeyId: 'welcome-series', sk: `v#${String(version).padStart(6, '0')}` },
        }),
      );
    bucket.delete('journeys/welcome-series.json');
    // act
    await deployFromS3(deps(), deleted);
    // assert: what running enrollments read stays (the live item, the templates until they expire)
    const items = await journeyItems();
    expect(items.filter((item) => !String(item.sk).startsWith('t#')).map((item) => item.sk)).toEqual([
      'live',
    ]);
  });

  /** S3's notification that one version of the file was removed for good, by a person or the lifecycle rule. */
  const versionRemoved = (reason: 'DeleteObject' | 'Lifecycle Expiration', versionId: string) =>
    S3Notification.parse({
      ...deleted,
      detail: {
        ...deleted.detail,
        object: { key: 'journeys/welcome-series.json', 'version-id': versionId },
        reason,
        'deletion-type': 'Permanently Deleted',
      },
    });

  it('keeps the journey live when an old version of its file expires or is deleted', async () => {
    // arrange: the live version was deployed from the file as it is now
    const deployedVersion = created.detail.object['version-id'] ?? '';
    bucket = fakeJourneysBucket(
      s3,
      [['journeys/welcome-series.json', welcome], ...templates],
      () => deployedVersion,
    );
    fakeStepFunctions();
    await deployFromS3(deps(), created);
    const published = sfn.commandCalls(PublishStateMachineVersionCommand).length;
    // act: the bucket's lifecycle rule expires a version replaced a year ago; someone deletes another
    const results = [
      await deployFromS3(deps(), versionRemoved('Lifecycle Expiration', 'replaced-a-year-ago')),
      await deployFromS3(deps(), versionRemoved('DeleteObject', 'an-older-one')),
    ];
    // assert: the live version stays, nothing archived or published again
    expect(results).toEqual([
      { status: 'ignored', key: 'journeys/welcome-series.json' },
      { status: 'unchanged', journeyId: 'welcome-series' },
    ]);
    expect((await deps().registry.get('welcome-series'))?.status).toBe('active');
    expect(sfn.commandCalls(PublishStateMachineVersionCommand)).toHaveLength(published);
    expect(sentEvents().map((e) => e.DetailType)).toEqual(['Journey Deployed']);
  });

  it('deploys the file again when its delete marker is removed (the file is back)', async () => {
    // arrange: the file was deleted, so the journey was archived
    fakeStepFunctions();
    await deployFromS3(deps(), created);
    bucket.delete('journeys/welcome-series.json');
    await deployFromS3(deps(), deleted);
    // act: removing the delete marker brings the file back, and S3 announces a deletion
    bucket.set('journeys/welcome-series.json', welcome);
    const result = await deployFromS3(deps(), versionRemoved('DeleteObject', 'the-delete-marker'));
    // assert
    expect(result).toMatchObject({ status: 'deployed', journeyId: 'welcome-series', version: '2' });
    expect((await deps().registry.get('welcome-series'))?.status).toBe('active');
  });

  it('leaves an archived journey as it was when the lifecycle removes its last old version and then its delete marker', async () => {
    // arrange: the file was deleted, so the journey was archived
    fakeStepFunctions();
    await deployFromS3(deps(), created);
    bucket.delete('journeys/welcome-series.json');
    await deployFromS3(deps(), deleted);
    const archived = await deps().registry.get('welcome-series');
    // act: a year on, the lifecycle expires the version the file had, then the marker left alone
    const later = () => ({ ...deps(), now: () => new Date('2027-11-25T00:00:00Z') });
    const results = [
      await deployFromS3(later(), versionRemoved('Lifecycle Expiration', 'the-last-version')),
      await deployFromS3(later(), versionRemoved('Lifecycle Expiration', 'the-delete-marker')),
    ];
    // assert: nothing archived again: the time it stopped taking entries stands, announced once
    expect(results.map((r) => r.status)).toEqual(['ignored', 'ignored']);
    expect(await deps().registry.get('welcome-series')).toEqual(archived);
    expect(archived?.status).toBe('archived');
    expect(sentEvents().map((e) => e.DetailType)).toEqual(['Journey Deployed', 'Journey Archived']);
  });

  it('keeps the report of a misnamed file when the lifecycle expires an old version of it', async () => {
    // arrange: a misnamed file, rejected with a report
    fakeStepFunctions();
    bucket.set('journeys/Welcome_Series.json', welcome);
    const key = 'journeys/Welcome_Series.json';
    await deployFromS3(deps(), { ...created, detail: { ...created.detail, object: { key } } });
    expect(bucket.has('journeys/Welcome_Series.rejected.json')).toBe(true);
    // act
    const expired = versionRemoved('Lifecycle Expiration', 'replaced-a-year-ago');
    await deployFromS3(deps(), { ...expired, detail: { ...expired.detail, object: { key } } });
    // assert: the file is still there, and so is what it is told
    expect(bucket.has('journeys/Welcome_Series.rejected.json')).toBe(true);
  });

  it('deploys the previous version when the current version of the file is deleted for good', async () => {
    // arrange: a second edit is live
    fakeStepFunctions();
    await deployFromS3(deps(), created);
    const edited = { ...JSON.parse(welcome), name: 'Welcome, edited' };
    bucket.set('journeys/welcome-series.json', JSON.stringify(edited));
    await deployFromS3(deps(), created);
    // act: the edit's version is deleted, so the first version is the file again
    bucket.set('journeys/welcome-series.json', welcome);
    const result = await deployFromS3(deps(), versionRemoved('DeleteObject', 'the-edit'));
    // assert
    expect(result).toMatchObject({ status: 'deployed', version: '3' });
    expect((await deps().registry.get('welcome-series'))?.name).toBe(JSON.parse(welcome).name);
  });

  it.each([
    ['a live journey', true],
    ['a journey that was never deployed', false],
  ])('removes the rejection report of %s whose file is deleted', async (_name, deployedFirst) => {
    // arrange: the last upload was rejected
    fakeStepFunctions();
    if (deployedFirst) await deployFromS3(deps(), created);
    bucket.set('journeys/welcome-series.json', '{ "id": ');
    await deployFromS3(deps(), created);
    expect(bucket.has('journeys/welcome-series.rejected.json')).toBe(true);
    // act
    bucket.delete('journeys/welcome-series.json');
    const result = await deployFromS3(deps(), deleted);
    // assert
    expect(result.status).toBe(deployedFirst ? 'archived' : 'unknown');
    expect(bucket.has('journeys/welcome-series.rejected.json')).toBe(false);
  });

  it("publishes an edit of the goal or exit events alone as a version of its own, keeping the earlier version's", async () => {
    // arrange: welcome-series live, then the same file with another exit event
    fakeStepFunctions();
    await deployFromS3(deps(), created);
    const journey = JSON.parse(welcome);
    const edited = { ...journey, exitOn: [{ event: 'Account Closed' }] };
    bucket.set('journeys/welcome-series.json', JSON.stringify(edited));
    // act
    await deployFromS3(deps(), created);
    // assert: the definitions differ (Step Functions keeps the latest version for an unchanged one)
    const [first, second] = [
      ...sfn.commandCalls(CreateStateMachineCommand).map((c) => c.args[0].input.definition),
      ...sfn.commandCalls(UpdateStateMachineCommand).map((c) => c.args[0].input.definition),
    ];
    expect(second).not.toBe(first);
    const entry = await deps().registry.get('welcome-series');
    expect(entry).toMatchObject({ version: '2', exitOn: edited.exitOn });
    // What version 1's running enrollments still act on: its goal, exit events and awaited events,
    // until the last of them can have ended (a year and a day after version 2 took its place).
    expect(entry?.earlier).toEqual([
      {
        version: '1',
        goal: journey.goal,
        exitOn: journey.exitOn,
        awaits: [],
        until: '2027-11-25T09:00:05.000Z',
      },
    ]);
  });

  it('pins the templates of a version: a later edit changes only the next version', async () => {
    fakeStepFunctions();
    await deployFromS3(deps(), created);
    const edited = JSON.stringify({ channel: 'email', subject: 'New', html: '<p>New</p>', text: 'New' });
    bucket.set('journeys/templates/welcome.json', edited);
    await deployFromS3(deps(), created);
    // The template each version's welcome step sends, as compiled into its definition.
    const sent = (definition: string | undefined) =>
      z
        .object({
          States: z.record(
            z.string(),
            z.object({ Parameters: z.object({ template: z.string() }).partial().optional() }),
          ),
        })
        .parse(JSON.parse(definition ?? '{}')).States['welcome-email']?.Parameters?.template;
    const definitions = [
      ...sfn.commandCalls(CreateStateMachineCommand).map((c) => c.args[0].input.definition),
      ...sfn.commandCalls(UpdateStateMachineCommand).map((c) => c.args[0].input.definition),
    ];
    expect(definitions).toHaveLength(2);
    const [v1, v2] = definitions.map(sent);
    expect(v1).toMatch(/^welcome@[0-9a-f]{16}$/);
    expect(v2).toMatch(/^welcome@[0-9a-f]{16}$/);
    expect(v2).not.toBe(v1);
    // Deleting the template from the bucket leaves both versions whole.
    bucket.delete('journeys/templates/welcome.json');
    const snapshots = new TemplateSnapshots(db.doc, db.tables.journeys);
    expect(await snapshots.get({ journeyId: 'welcome-series', name: v1 ?? '' })).toEqual(
      JSON.parse(new Map(templates).get('journeys/templates/welcome.json') ?? ''),
    );
    expect(await snapshots.get({ journeyId: 'welcome-series', name: v2 ?? '' })).toMatchObject({
      subject: 'New',
    });
  });

  it.each([
    {
      why: 'broken Liquid',
      text: JSON.stringify({ channel: 'email', subject: 'Hi {{ name', html: 'x', text: 'x' }),
      says: /broken Liquid syntax \(subject/,
    },
    {
      why: 'a partial, which no send could load',
      text: JSON.stringify({
        channel: 'email',
        subject: 'Hi',
        html: "<p>x</p>{% render 'footer' %}",
        text: 'x',
      }),
      says: /cannot be sent \(html: \{% render 'footer' %\} \(line 1, column 9\) loads another template/,
    },
    { why: 'not JSON', text: '{ nope', says: /is not valid JSON: .* at line 1, column 3\./ },
    {
      why: 'not UTF-8 (an accent saved as Latin-1, which would be sent as U+FFFD)',
      text: Uint8Array.from(
        Buffer.from(JSON.stringify({ channel: 'email', subject: 'Café', html: 'x', text: 'x' }), 'latin1'),
      ),
      says: /is not UTF-8 text \(near byte 34, line 1\)/,
    },
    {
      why: 'not a template',
      text: JSON.stringify({ channel: 'email', subject: 'x' }),
      says: /not a valid template: html: is required; text: is required$/,
    },
    {
      why: 'reading a variable no send of it can have',
      text: JSON.stringify({ channel: 'email', subject: 'Hi {{ customer.name }}', html: 'x', text: 'x' }),
      says: /reads \{\{ customer\.name \}\} \(subject, line 1, column 7\), but no message has a variable "customer"/,
    },
  ])('rejects a deploy whose template is $why, and leaves the live version', async ({ text, says }) => {
    const machine = fakeStepFunctions();
    await deployFromS3(deps(), created);
    bucket.set('journeys/templates/welcome-tips.json', text);
    const result = await deployFromS3(deps(), created);
    expect(result).toMatchObject({ status: 'rejected' });
    const report = rejectionReport(bucket, 'journeys/welcome-series.rejected.json');
    const problem = report.violations.find((v: { path: string }) => v.path.endsWith('.template'));
    expect(problem?.message).toMatch(says);
    expect(machine.alias()).toBe(`${ARN}:1`);
  });

  it('says why a fallback template is unusable, as it does for the step it stands in for', async () => {
    // arrange: the tips email and its fallback both name template files that exist but are not templates
    fakeStepFunctions();
    const journey = JSON.parse(welcome);
    journey.steps['tips-email'].fallback = [
      { channel: 'email', template: 'tips-again', when: 'notOpened', within: 'P1D' },
    ];
    bucket.set('journeys/welcome-series.json', JSON.stringify(journey));
    const broken = JSON.stringify({ channel: 'email', subject: 'x' });
    bucket.set('journeys/templates/welcome-tips.json', broken);
    bucket.set('journeys/templates/tips-again.json', broken);
    // act
    const result = await deployFromS3(deps(), created);
    // assert: one reason for both, naming each template
    expect(result).toMatchObject({ status: 'rejected' });
    const report = rejectionReport(bucket, 'journeys/welcome-series.rejected.json');
    const at = (path: string) => report.violations.find((v: { path: string }) => v.path === path);
    expect(at('steps.tips-email.template')).toMatchObject({
      code: 'template.invalid',
      message: expect.stringMatching(/"welcome-tips".*not a valid template/),
    });
    expect(at('steps.tips-email.fallback[0].template')).toMatchObject({
      code: 'template.invalid',
      message: expect.stringMatching(/"tips-again".*not a valid template/),
    });
  });

  it('publishes a new version of each journey that sends an edited template, and only then', async () => {
    const machine = fakeStepFunctions();
    await deployFromS3(deps(), created);
    const templateEvent = (key: string) => ({ ...created, detail: { ...created.detail, object: { key } } });
    // The same content again (a re-upload): nothing to publish.
    const same = await deployFromS3(deps(), templateEvent('journeys/templates/welcome.json'));
    expect(same).toEqual({ status: 'redeployed', template: 'welcome', results: [] });
    // A template no journey sends: nothing to publish.
    bucket.set('journeys/templates/unused.json', JSON.stringify({ channel: 'sms', body: 'x' }));
    expect(await deployFromS3(deps(), templateEvent('journeys/templates/unused.json'))).toMatchObject({
      results: [],
    });
    bucket.set(
      'journeys/templates/welcome.json',
      JSON.stringify({ channel: 'email', subject: 'New', html: 'n', text: 'n' }),
    );
    const edited = await deployFromS3(deps(), templateEvent('journeys/templates/welcome.json'));
    expect(edited).toMatchObject({
      status: 'redeployed',
      results: [{ status: 'deployed', journeyId: 'welcome-series', version: '2', journeyStatus: 'active' }],
    });
    expect(machine.alias()).toBe(`${ARN}:2`);
  });
});
