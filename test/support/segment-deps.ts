import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import type { SegmentDeps } from '#functions/segment-entry/deps.ts';
import type { SqsRecord } from '#functions/segment-entry/records.ts';
import { SegmentRuns } from '#functions/segment-entry/runs.ts';
import type { JourneyInput } from '#shared/journey/schema.ts';
import { StartPace } from '#shared/segment/pace.ts';
import { mockedClient } from './mocked-clients.ts';

export const SEGMENT_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/segment';

/**
 * Segment entry on local tables: its repositories on `doc` (the registry on
 * `registryDoc`, when a test's faults must not reach it), AWS clients for the
 * test's mocks, no pacing wait and no headroom limit.
 */
export function segmentDepsOn(options: {
  doc: DynamoDBDocumentClient;
  /** The low-level client DescribeTable goes through. */
  client: DynamoDBClient;
  registryDoc?: DynamoDBDocumentClient;
  tables: { stats: string; profiles: string; enrollments: string; journeys: string };
  now: () => Date;
  inFlight: number;
  scanPageSize?: number;
}): SegmentDeps {
  const { doc, tables } = options;
  return {
    runs: new SegmentRuns(doc, tables.stats),
    events: mockedClient(EventBridgeClient),
    eventBus: 'customer-events',
    pacing: {
      pace: new StartPace(1_000_000, 1_000_000),
      nowMs: () => 0,
      sleep: async () => {},
      random: () => 0,
      inFlight: options.inFlight,
    },
    openExecutions: { count: async () => ({ account: 0 }) } as unknown as SegmentDeps['openExecutions'],
    db: doc,
    tables: options.client,
    profilesTable: tables.profiles,
    enrollments: new EnrollmentItems(doc, tables.enrollments),
    stats: new StatsRepository(doc, tables.stats),
    registry: new RegistryRepository(options.registryDoc ?? doc, tables.journeys),
    sfn: mockedClient(SFNClient),
    sqs: mockedClient(SQSClient),
    queueUrl: SEGMENT_QUEUE,
    now: options.now,
    ...(options.scanPageSize === undefined ? {} : { scanPageSize: options.scanPageSize }),
  };
}

/** A daily segment journey entering once whoever's trait at `path` is "plus", and ending there. */
export function plusSegmentJourney(id: string, path: string): JourneyInput {
  return {
    id,
    name: id,
    trigger: { type: 'segment', schedule: 'rate(1 day)', segment: { path, eq: 'plus' } },
    reentry: { mode: 'once' },
    start: 'done',
    steps: { done: { type: 'exit' } },
  };
}

type BatchInput = { Entries: { Id: string; MessageBody: string }[] };

/**
 * Mocks of the SDK clients segment entry calls: the segment queue in memory
 * (`queue`, filled by SendMessageBatch), the bus accepting every event, and
 * Step Functions starting executions (`started`, their names). `refuseRepeats`:
 * a second start with a name is refused as ExecutionAlreadyExists, as for an
 * execution that has ended; otherwise it is answered as the first, as for one
 * still running. `reset` empties both and sets the fakes again.
 */
export function fakeSegmentServices(options: { refuseRepeats: boolean; startDate?: () => Date }) {
  const sqs = mockClient(SQSClient);
  const sfn = mockClient(SFNClient);
  const bus = mockClient(EventBridgeClient);
  const queue: SqsRecord[] = [];
  const started = new Set<string>();
  let sent = 0;
  const startDate = options.startDate ?? (() => new Date());
  /** Puts a batch's messages on the queue, as SendMessageBatch does. */
  const enqueue = (input: BatchInput) => {
    for (const entry of input.Entries) queue.push({ messageId: `msg-${++sent}`, body: entry.MessageBody });
    return { Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] };
  };
  const reset = () => {
    queue.length = 0;
    started.clear();
    sqs.reset();
    sqs.on(SendMessageBatchCommand).callsFake(enqueue);
    bus.reset();
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    sfn.reset();
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
      if (options.refuseRepeats && started.has(input.name))
        throw Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
      started.add(input.name);
      return { executionArn: `x:${input.name}`, startDate: startDate() };
    });
  };
  reset();
  return { sqs, sfn, bus, queue, started, enqueue, reset };
}
