import { setTimeout as later } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfileIdentities } from '#functions/_lib/identity.ts';
import { itemSize } from '#functions/_lib/profile-compaction.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { CachedRegistry, RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { executionStatusChanged } from '#functions/execution-status/status.ts';
import type { IngestDeps } from '#functions/ingest/ingest.ts';
import { TABLES } from '#shared/tables.ts';
import { deployBenchJourneys } from './growth-journeys.ts';
import { type EndedExecution, simulatedStepFunctions } from './growth-lifecycle.ts';
import { feedCustomer, type GrowthResult, type Meter, SPACING_SECONDS } from './profile-growth.ts';

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** On-demand prices (us-east-1, Nov 2026): the hot path's cost per 1M events. */
const PRICE = {
  eventBridgePerMillion: 1.0,
  lambdaRequestsPerMillion: 0.2,
  lambdaGbSecond: 0.0000133334,
  lambdaMemoryGb: 0.5,
  lambdaMsPerEvent: 10,
  writeUnitsPerMillion: 0.625,
};

export function hotPathCostPerMillion(unitsPerEvent: number): number {
  const lambda =
    PRICE.lambdaRequestsPerMillion +
    (PRICE.lambdaMsPerEvent / 1000) * PRICE.lambdaMemoryGb * PRICE.lambdaGbSecond * 1_000_000;
  return PRICE.eventBridgePerMillion + lambda + unitsPerEvent * PRICE.writeUnitsPerMillion;
}

/** Where the growth runs: a dynalite endpoint, or an in-process one reached without sockets. */
export type DynamoTarget = { endpoint: string } | Pick<DynamoDBClientConfig, 'requestHandler' | 'signer'>;

/** A DynamoDB client that asks for ConsumedCapacity on every write and meters calls. */
function meteredClient(target: DynamoTarget, meter: Meter) {
  const raw = new DynamoDBClient({
    endpoint: 'endpoint' in target ? target.endpoint : 'http://dynalite.local',
    ...('endpoint' in target ? {} : target),
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      const input = args.input as { ReturnConsumedCapacity?: string; TableName?: string };
      // The registry is read through a per-process cache that refreshes on wall time, and its directory
      // is filled once, on the first read: not the event's work.
      const registry = String(input.TableName).endsWith('-journeys');
      const write = WRITES.has(name) && !registry;
      if (write) {
        meter.writes++;
        input.ReturnConsumedCapacity = 'TOTAL';
      }
      if (READS.has(name) && !registry) meter.reads++;
      const out = await next(args);
      const output = out.output as { ConsumedCapacity?: { CapacityUnits?: number }; Attributes?: unknown };
      if (write) meter.units += output.ConsumedCapacity?.CapacityUnits ?? 0;
      // Every profile write returns the whole item: its size after every event, not only at samples.
      const attributes = output.Attributes;
      if (
        String(input.TableName).endsWith('-profiles') &&
        typeof attributes === 'object' &&
        attributes !== null
      )
        meter.maxItem = Math.max(meter.maxItem, itemSize(Object.fromEntries(Object.entries(attributes))));
      return out;
    },
    { step: 'initialize', name: 'meterCapacity' },
  );
  return raw;
}

export type EndHook = (deps: {
  doc: DynamoDBDocumentClient;
  tables: Record<string, string>;
}) => (e: EndedExecution) => Promise<void>;

/** A simulated execution's end goes through the execution-status handler, as AWS's status change event would. */
export const executionStatusHook: EndHook =
  ({ doc, tables }) =>
  async (e) => {
    const enrollments = new EnrollmentItems(doc, tables.enrollments ?? '');
    const deps = {
      enrollments,
      profiles: new ProfilesRepository(doc, tables.profiles ?? ''),
      stats: new StatsRepository(doc, tables.stats ?? ''),
    };
    await executionStatusChanged(deps, {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate.getTime(),
      stopDate: e.stopDate.getTime(),
      input: e.input,
      inputDetails: { included: true },
    });
  };

let run = 0;

/**
 * Feeds one customer `count` events on fresh tables of the dynalite at
 * `target`; returns the figures and what is left running and stored.
 */
export async function runGrowth(target: DynamoTarget, count: number, endHook: EndHook) {
  run += 1;
  const meter: Meter = { units: 0, writes: 0, reads: 0, maxItem: 0 };
  const raw = meteredClient(target, meter);
  const tables: Record<string, string> = {};
  for (const table of TABLES) {
    const keys = [table.partitionKey, ...('sortKey' in table ? [table.sortKey] : [])];
    const name = `growth-${run}-${table.id}`;
    await raw.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      }),
    );
    tables[table.id] = name;
  }
  // dynalite makes a new table ACTIVE on a timer after answering: a first call in-process could come before it.
  for (const name of Object.values(tables))
    while ((await raw.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE')
      await later(0);
  run += 1;
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const registry = new RegistryRepository(doc, tables.journeys ?? '');
  await deployBenchJourneys(registry);
  const sqsMock = mockClient(SQSClient);
  sqsMock.onAnyCommand().resolves({});
  let now = new Date(0);
  const enrollments = new EnrollmentItems(doc, tables.enrollments ?? '');
  const profiles = new ProfilesRepository(doc, tables.profiles ?? '', enrollments);
  const sfn = new SFNClient({ region: 'eu-west-1' });
  const deps: IngestDeps = {
    profiles,
    identities: new ProfileIdentities(doc, tables.profiles ?? '', () => now),
    enrollments,
    registry: new CachedRegistry(registry),
    stats: new StatsRepository(doc, tables.stats ?? ''),
    sfn,
    sqs: new SQSClient({ region: 'eu-west-1' }),
    rejectedQueueUrl: 'q',
    now: () => now,
  };
  const simulated = simulatedStepFunctions(
    () => ({ profiles, enrollments, journeys: registry, stats: deps.stats, sfn, now: () => now }),
    endHook({ doc, tables }),
  );
  const result = await feedCustomer(
    deps,
    raw,
    tables.profiles ?? '',
    meter,
    count,
    (at) => simulated.advance(at),
    (at) => {
      now = at;
    },
  );
  const running = simulated.runningIds();
  simulated.restore();
  sqsMock.restore();
  return { result, running, doc, tables };
}

/**
 * The same bench customer at 10,000 events before profiles were bounded
 * (every enrollment, waiter and message id kept on the item).
 */
const BEFORE = { events: 10_000, maxKB: 192.9, unitsPerEvent: 126.89, costPerMillion: 68.19 };

export function printGrowth(results: GrowthResult[], seconds?: number): void {
  console.log(
    `\nProfile growth: one customer, 50 event names, 30 traits, 10 live journeys (4 waiting), events ${SPACING_SECONDS} s apart`,
  );
  for (const r of results) {
    // Every 1,000 events up to 10,000, every 10,000 beyond (each sample is the item after that many events).
    const step = r.events > 10_000 ? 10 : 1;
    console.log(
      `\n${r.events.toLocaleString('en')} events: profile item size (bytes) after each ${(step * 1000).toLocaleString('en')} events`,
    );
    const line: string[] = [];
    r.sizes.forEach((s, i) => {
      if ((i + 1) % step === 0) line.push(`${String((i + 1) * 1000).padStart(7)}: ${String(s).padStart(5)}`);
    });
    for (let i = 0; i < line.length; i += 5) console.log(`  ${line.slice(i, i + 5).join('   ')}`);
    console.log(
      `  max item after any event ${r.maxSize} B (${(r.maxSize / 1024).toFixed(2)} KB) · write units per event ${r.unitsPerEvent.toFixed(2)} · ` +
        `per event that triggers nothing: ${r.unitsPerQuietEvent.toFixed(2)} units, ${r.writesPerQuietEvent.toFixed(3)} writes, ${r.readsPerQuietEvent.toFixed(3)} reads · failures ${r.failures}`,
    );
    console.log(
      `  hot-path cost per 1M events that trigger nothing (EventBridge + Lambda + DynamoDB): $${hotPathCostPerMillion(r.unitsPerQuietEvent).toFixed(2)}` +
        ` · before bounded profiles (${BEFORE.events.toLocaleString('en')} events): ${BEFORE.maxKB} KB, ${BEFORE.unitsPerEvent} units per event, $${BEFORE.costPerMillion.toFixed(2)}`,
    );
    if (seconds !== undefined)
      console.log(`  bench time ${seconds.toFixed(0)} s (${(r.events / seconds).toFixed(0)} events/s)`);
  }
}
