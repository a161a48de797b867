import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfileIdentities } from '#functions/_lib/identity.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { CachedRegistry, RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { executionStatusChanged } from '#functions/execution-status/status.ts';
import type { IngestDeps } from '#functions/ingest/ingest.ts';
import { TABLES } from '#shared/tables.ts';
import { deployBenchJourneys } from './growth-journeys.ts';
import { type EndedExecution, simulatedStepFunctions } from './growth-lifecycle.ts';
import { feedCustomer, type GrowthResult, type Meter } from './profile-growth.ts';

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

/** A DynamoDB client that asks for ConsumedCapacity on every write and meters calls. */
function meteredClient(endpoint: string, meter: Meter) {
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      const input = args.input as { ReturnConsumedCapacity?: string; TableName?: string };
      if (WRITES.has(name)) {
        meter.writes++;
        input.ReturnConsumedCapacity = 'TOTAL';
      }
      // The registry is read through a per-process cache that refreshes on wall time: not the event's work.
      if (READS.has(name) && !String(input.TableName).endsWith('-journeys')) meter.reads++;
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      if (WRITES.has(name)) meter.units += consumed?.CapacityUnits ?? 0;
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
 * `endpoint`; returns the figures and what is left running and stored.
 */
export async function runGrowth(endpoint: string, count: number, endHook: EndHook) {
  run += 1;
  const meter: Meter = { units: 0, writes: 0, reads: 0 };
  const raw = meteredClient(endpoint, meter);
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
    () => ({ profiles, enrollments, journeys: registry, sfn, now: () => now }),
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

export function printGrowth(results: GrowthResult[]): void {
  console.log(
    '\nProfile growth: one customer, 50 event names, 30 traits, 10 live journeys (4 waiting), events 30 s apart',
  );
  for (const r of results) {
    console.log(
      `\n${r.events.toLocaleString('en')} events: profile item size (bytes) after each 1,000 events`,
    );
    const line: string[] = [];
    r.sizes.forEach((s, i) => {
      line.push(`${String((i + 1) * 1000).padStart(6)}: ${String(s).padStart(6)}`);
    });
    for (let i = 0; i < line.length; i += 5) console.log(`  ${line.slice(i, i + 5).join('   ')}`);
    console.log(
      `  max item ${(r.maxSize / 1024).toFixed(1)} KB · write units per event ${r.unitsPerEvent.toFixed(2)} · ` +
        `per event that triggers nothing: ${r.unitsPerQuietEvent.toFixed(2)} units, ${r.writesPerQuietEvent.toFixed(3)} writes, ${r.readsPerQuietEvent.toFixed(3)} reads · failures ${r.failures}`,
    );
    console.log(
      `  hot-path cost per 1M events that trigger nothing (EventBridge + Lambda + DynamoDB): $${hotPathCostPerMillion(r.unitsPerQuietEvent).toFixed(2)}`,
    );
  }
}
