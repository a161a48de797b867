import { fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { documentClient } from '#functions/_lib/clients/dynamo.ts';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfileIdentities } from '#functions/_lib/identity.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { CachedRegistry, RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { TemplateSnapshots } from '#functions/_lib/templates.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { type IngestDeps, ingestEvent } from '#functions/ingest/ingest.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { liveFields } from '#shared/ingest/live-journey.ts';
import { Journey } from '#shared/journey/schema.ts';
import { TABLES } from '#shared/tables.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { AB_SPLIT_THEN_EXIT } from '../support/journey-steps.ts';
import { loopbackDynalite } from './dynalite-loopback.ts';
import { executionStatusHook, printGrowth, runGrowth } from './growth-run.ts';
import { itemSizeBytes } from './item-size.ts';
import { printTables, storedTables } from './stored-tables.ts';

/**
 * Per event: DynamoDB reads and writes (counted by SDK middleware) and CPU
 * time of the handler code. DynamoDB (dynalite) runs in a child process so
 * its CPU is not counted; Step Functions, SQS, SES and S3 are in-process stubs.
 */

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
const ROUNDS = 200;

async function startDynaliteProcess(): Promise<{ endpoint: string; stop: () => void }> {
  const child = fork(
    '-e',
    [
      "import('dynalite').then(({default:d})=>{const s=d({createTableMs:0});s.listen(0,'127.0.0.1',()=>process.send(s.address().port))})",
    ],
    { execArgv: [], stdio: 'ignore' },
  );
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))));
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function setup(endpoint: string) {
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const raw = new DynamoDBClient(config);
  // The product's document client, so the figures include its marshalling.
  const doc = documentClient(config);
  const counts = { reads: 0, writes: 0 };
  for (const client of [raw, doc]) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (READS.has(context.commandName ?? '')) counts.reads++;
        if (WRITES.has(context.commandName ?? '')) counts.writes++;
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
  }
  for (const table of TABLES) {
    const keys = [table.partitionKey, ...('sortKey' in table ? [table.sortKey] : [])];
    await raw.send(
      new CreateTableCommand({
        TableName: table.id,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      }),
    );
  }
  return { doc, counts, raw };
}

type Row = {
  name: string;
  reads: number;
  writes: number;
  cpuMeanMs: number;
  cpuP95Ms: number;
  /** The size of the profile item the scenario ran against, at its end. */
  profileBytes?: number;
};

async function measure(
  name: string,
  counts: { reads: number; writes: number },
  run: (i: number) => Promise<unknown>,
): Promise<Row> {
  for (let i = 0; i < 20; i++) await run(-1 - i); // warm-up: JIT, caches, connections
  counts.reads = 0;
  counts.writes = 0;
  const cpu: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.cpuUsage();
    await run(i);
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
  return {
    name,
    reads: counts.reads / ROUNDS,
    writes: counts.writes / ROUNDS,
    cpuMeanMs: mean,
    cpuP95Ms: cpu[Math.floor(cpu.length * 0.95)] ?? 0,
  };
}

const JOURNEY = Journey.parse({
  id: 'bench-cart',
  name: 'Bench',
  trigger: { type: 'event', event: 'Cart Updated', correlationKey: 'event.properties.cartId' },
  reentry: { mode: 'always' },
  goal: { event: 'Order Completed' },
  ...AB_SPLIT_THEN_EXIT,
});

function event(userId: string, name: string, i: number, properties: Record<string, unknown> = {}) {
  return {
    type: 'track',
    userId,
    event: name,
    messageId: `${name}-${userId}-${i}`,
    timestamp: '2026-11-24T10:00:00.000Z',
    properties,
  };
}

/** `BENCH_GROWTH_EVENTS=10000,100000` (the default): the customer stream lengths of the growth scenario. */
function growthCounts(): number[] {
  const raw = process.env.BENCH_GROWTH_EVENTS ?? '10000,100000';
  return raw
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Runs the handler benchmark and prints one line per scenario. */
export async function runHandlersBench(): Promise<void> {
  const dynamo = await startDynaliteProcess();
  try {
    const { doc, counts, raw } = await setup(dynamo.endpoint);
    const sfnMock = mockClient(SFNClient);
    sfnMock.onAnyCommand().resolves({});
    const sqsMock = mockClient(SQSClient);
    sqsMock.onAnyCommand().resolves({});
    mockClient(SESv2Client)
      .on(SendEmailCommand)
      .callsFake(() => ({ MessageId: `ses-${Math.random().toString(36).slice(2)}` }));
    const templates = new TemplateSnapshots(doc, 'journeys');
    const pinned = await templates.put(
      'bench-cart',
      new Map([
        [
          't',
          {
            channel: 'email',
            subject: 'Hi {{ profile.firstName }}',
            html: '<p>Hi {{ profile.firstName }}</p>',
            text: 'Hi',
          },
        ],
      ]),
    );
    const registry = new RegistryRepository(doc, 'journeys');
    const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:journey-bench-cart';
    await registry.putDeployed(
      {
        ...liveFields(JOURNEY),
        version: '1',
        versionArn: `${arn}:1`,
        aliasArn: `${arn}:live`,
        stateMachineArn: arn,
        sourceKey: 'journeys/bench-cart.json',
        deployedAt: '2026-11-01T00:00:00Z',
      },
      undefined,
    );
    const enrollments = new EnrollmentItems(doc, 'enrollments');
    const profiles = new ProfilesRepository(doc, 'profiles', enrollments);
    const stats = new StatsRepository(doc, 'stats');
    const deps: IngestDeps = {
      profiles,
      identities: new ProfileIdentities(doc, 'profiles', () => new Date('2026-11-24T10:00:01Z')),
      enrollments,
      registry: new CachedRegistry(registry),
      stats,
      sfn: new SFNClient({ region: 'eu-west-1' }),
      sqs: new SQSClient({ region: 'eu-west-1' }),
      rejectedQueueUrl: 'q',
      now: () => new Date('2026-11-24T10:00:01Z'),
    };
    const sfn = new SFNClient({ region: 'eu-west-1' });
    await ingestEvent(deps, {
      type: 'identify',
      userId: 'b-1',
      messageId: 'id-1',
      timestamp: '2026-11-24T09:00:00Z',
      traits: { email: 'b@example.com', firstName: 'B' },
    });
    const rows: Row[] = [];
    // The floor: one bare UpdateItem through the same SDK client, no handler logic.
    rows.push(
      await measure('(SDK floor: one bare UpdateItem)', counts, () =>
        doc.send(
          new UpdateCommand({
            TableName: 'stats',
            Key: { pk: 'floor', sk: 'x' },
            UpdateExpression: 'ADD c :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        ),
      ),
    );
    const profileBytes = async (userId: string) => {
      const out = await raw.send(
        new GetItemCommand({ TableName: 'profiles', Key: { userId: { S: userId } } }),
      );
      return itemSizeBytes(out.Item ?? {});
    };
    rows.push({
      ...(await measure('event that triggers nothing', counts, (i) =>
        ingestEvent(deps, event('b-1', 'Page Viewed', i)),
      )),
      profileBytes: await profileBytes('b-1'),
    });
    rows.push({
      ...(await measure('event that enrolls into one journey', counts, (i) =>
        ingestEvent(deps, event('b-1', 'Cart Updated', i, { cartId: `c${i}` })),
      )),
      profileBytes: await profileBytes('b-1'),
    });
    rows.push(
      await measure('event that resumes a waiting enrollment', counts, async (i) => {
        const userId = `w-${i}`;
        const before = { ...counts };
        // A customer with a profile (traits, a few events) rather than an empty one.
        await ingestEvent(deps, {
          type: 'identify',
          userId,
          messageId: `id-${userId}`,
          timestamp: '2026-11-24T08:00:00Z',
          traits: { email: `${userId}@example.com`, firstName: 'W', plan: 'pro', country: 'IT' },
        });
        for (const name of ['App Opened', 'Product Viewed']) await ingestEvent(deps, event(userId, name, i));
        await awaitEvent(
          { profiles, enrollments, journeys: registry, stats: deps.stats, sfn, now: deps.now },
          {
            v: CONTRACT_VERSION,
            journeyId: 'bench-cart',
            journeyVersion: '1',
            enrollmentId: `e${i}`,
            userId,
            stepId: 'w',
            token: `t${i}`,
            event: 'Order Placed',
            match: [],
            timeoutSeconds: 3600,
            startedAt: '2026-11-24T09:00:00Z',
            trigger: {},
          },
        );
        Object.assign(counts, before); // the profile and the waiter's registration are not this event's work
        return ingestEvent(deps, event(userId, 'Order Placed', i));
      }),
    );
    const resumed = rows.at(-1);
    if (resumed !== undefined) resumed.profileBytes = await profileBytes(`w-${ROUNDS - 1}`);
    const send = {
      profiles,
      deliveries: new DeliveriesRepository(doc, 'deliveries'),
      enrollments,
      stats,
      templates,
      ses: new SESv2Client({ region: 'eu-west-1' }),
      pinpoint: new PinpointClient({ region: 'eu-west-1' }),
      config: {
        senderEmail: 'n@shop.example',
        configurationSet: 'c',
        pinpointApplicationId: 'a',
        unsubscribeBaseUrl: 'https://u.example/',
      },
      unsubscribeKey: async () => 'bench-signing-key-of-at-least-32-characters',
      now: deps.now,
    };
    rows.push({
      ...(await measure('one email send', counts, (i) =>
        sendMessage(send, {
          v: CONTRACT_VERSION,
          journeyId: 'bench-cart',
          journeyVersion: '1',
          enrollmentId: `s${i}`,
          userId: 'b-1',
          stepId: 'email',
          channel: 'email',
          template: pinned.get('t') ?? 't',
          trigger: {},
          defaultTimezone: 'UTC',
          transactional: true,
          options: {},
        }),
      )),
      profileBytes: await profileBytes('b-1'),
    });
    console.log(
      '\nHandlers: DynamoDB calls and handler CPU per event (dynalite out of process; AWS services stubbed)',
    );
    console.log('scenario                                   reads  writes  cpu mean  cpu p95   profile');
    for (const r of rows) {
      const size = r.profileBytes === undefined ? '' : `${String(r.profileBytes).padStart(6)} B`;
      console.log(
        `${r.name.padEnd(42)} ${r.reads.toFixed(2).padStart(5)}  ${r.writes.toFixed(2).padStart(6)}  ${r.cpuMeanMs.toFixed(3).padStart(6)} ms  ${r.cpuP95Ms.toFixed(3).padStart(5)} ms  ${size}`,
      );
    }
    sfnMock.restore();
    sqsMock.restore();
    // The long streams run on an in-process dynalite without sockets: the same semantics and capacity figures, faster.
    for (const count of growthCounts()) {
      const loopback = loopbackDynalite();
      try {
        const started = performance.now();
        const { result, doc, tables } = await runGrowth(loopback, count, executionStatusHook);
        printGrowth([result], (performance.now() - started) / 1000);
        printTables(await storedTables(doc, tables));
      } finally {
        await loopback.close();
      }
    }
  } finally {
    dynamo.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runHandlersBench();
}
