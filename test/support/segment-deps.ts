import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import type { SegmentDeps } from '#functions/segment-entry/deps.ts';
import { SegmentRuns } from '#functions/segment-entry/runs.ts';
import type { JourneyInput } from '#shared/journey/schema.ts';
import { StartPace } from '#shared/segment/pace.ts';

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
    events: new EventBridgeClient({ region: 'eu-west-1' }),
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
    sfn: new SFNClient({ region: 'eu-west-1' }),
    sqs: new SQSClient({ region: 'eu-west-1' }),
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
