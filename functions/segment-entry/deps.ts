import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import type { EnrollmentDeps } from '#functions/_lib/enrollments.ts';
import type { RegistryRepository } from '#functions/_lib/registry.ts';
import type { OpenExecutions } from './headroom.ts';
import type { Pacing } from './pacing.ts';
import type { SegmentRuns } from './runs.ts';

/** What segment entry works with; tests pass dynalite and mocked SQS / Step Functions. */
export type SegmentDeps = EnrollmentDeps & {
  /** Re-entry records of the ids merged into a customer, read for those who have some. */
  enrollments: Pick<EnrollmentItems, 'reentryRecord' | 'enrollment'>;
  db: DynamoDBDocumentClient;
  /** Reads the profiles table's size (DescribeTable, which the document client cannot send). */
  tables: DynamoDBClient;
  profilesTable: string;
  registry: Pick<RegistryRepository, 'get'>;
  runs: Pick<
    SegmentRuns,
    | 'claim'
    | 'queued'
    | 'segmentAt'
    | 'keepPage'
    | 'keptPage'
    | 'scanned'
    | 'counted'
    | 'continued'
    | 'enrolled'
    | 'itemsCounted'
    | 'settleItem'
    | 'stopped'
    | 'complete'
    | 'announced'
  >;
  sqs: SQSClient;
  queueUrl: string;
  /** Run started / completed notifications go on this bus. */
  events: EventBridgeClient;
  eventBus: string;
  pacing: Pacing;
  /** Open executions in the account: entry pauses near the limit. */
  openExecutions: Pick<OpenExecutions, 'count'>;
  now: () => Date;
  /** Profiles per Scan page (SCAN_PAGE_SIZE unless a test wants many pages). */
  scanPageSize?: number;
};
