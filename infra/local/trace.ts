import { join } from 'node:path';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { LIVE_SK, RegistryEntry } from '#functions/_lib/registry.ts';
import type { ExperimentState } from '#shared/ingest/experiments.ts';
import type { ActiveEnrollment } from '#shared/ingest/state.ts';
import { DELIVERIES_TABLE, ENROLLMENTS_TABLE, JOURNEYS_TABLE, PROFILES_TABLE } from '#shared/tables.ts';
import { SendMessageOutput } from '#shared/tasks.ts';
import { type DataSource, withData } from './data.ts';
import { type ExecutionRecord, readExecutions } from './sfn/executions.ts';

/**
 * What the local stores hold about one customer, for `journeys trace`: the
 * profile, each execution of a journey for them (from the local Step
 * Functions execution log), the enrollment items still kept, and every
 * message step with its last outcome (deliveries table).
 */

export type TraceExecution = {
  journeyId: string;
  version: string;
  enrollmentId: string;
  status: ExecutionRecord['status'];
  startedAt: string;
  stoppedAt?: string;
  error?: string;
  cause?: string;
  /** The states entered, in order (the steps taken, and the helper states they compile to). */
  visited: string[];
  buckets: Record<string, number>;
};

export type TraceMessage = {
  enrollmentId: string;
  journeyId: string;
  stepId: string;
  channel: string;
  status: string;
  attempts: number;
  updatedAt?: string;
  output?: SendMessageOutput;
  detail?: string;
};

export type Trace = {
  userId: string;
  traits: Record<string, unknown>;
  executions: TraceExecution[];
  enrollments: ActiveEnrollment[];
  messages: TraceMessage[];
  /** The experiments of the journeys traced, as the registry records them now. */
  experiments: { journeyId: string; states: ExperimentState[] }[];
};

const Delivery = z.object({
  deliveryId: z.string(),
  journeyId: z.string(),
  stepId: z.string(),
  channel: z.string(),
  status: z.string(),
  attempts: z.number().default(1),
  updatedAt: z.union([z.string(), z.number()]).optional(),
  output: SendMessageOutput.nullish(),
  detail: z.string().nullish(),
});

/** What the trace reads from an execution input (lenient about the rest, so older executions show too). */
const TracedInput = z.object({
  journeyId: z.string(),
  journeyVersion: z.string(),
  enrollmentId: z.string(),
  userId: z.string(),
  buckets: z.record(z.string(), z.number()).default({}),
});
type TracedInput = z.infer<typeof TracedInput>;

function executionsOf(records: Map<string, ExecutionRecord>, userId: string): TraceExecution[] {
  const out: TraceExecution[] = [];
  for (const record of records.values()) {
    let input: TracedInput | undefined;
    try {
      const parsed = TracedInput.safeParse(JSON.parse(record.input));
      input = parsed.success ? parsed.data : undefined;
    } catch {
      input = undefined;
    }
    if (input === undefined || input.userId !== userId) continue;
    out.push({
      journeyId: input.journeyId,
      version: input.journeyVersion,
      enrollmentId: input.enrollmentId,
      status: record.status,
      startedAt: new Date(record.startDate * 1000).toISOString(),
      ...(record.stopDate === undefined ? {} : { stoppedAt: new Date(record.stopDate * 1000).toISOString() }),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: record.cause }),
      visited: record.visited,
      buckets: input.buckets,
    });
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

function timeOf(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? new Date(value).toISOString() : value;
}

/** Reads one customer's trace from the local runtime (running or not) and its data folder. */
export async function readTrace(source: DataSource & { kind: 'local' }, userId: string): Promise<Trace> {
  const records = await readExecutions(join(source.dataDir, 'stepfunctions', 'executions.jsonl'));
  const executions = executionsOf(records, userId);
  return withData(source, async ({ doc, table }) => {
    const enrollments = new EnrollmentItems(doc, table(ENROLLMENTS_TABLE));
    const profiles = new ProfilesRepository(doc, table(PROFILES_TABLE), enrollments);
    const state = await profiles.get(userId);
    const messages: TraceMessage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      // Local only: the deliveries table has no index by customer, and a local table is small.
      const page = await doc.send(
        new ScanCommand({
          TableName: table(DELIVERIES_TABLE),
          FilterExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': userId },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = Delivery.safeParse(item);
        if (!parsed.success) continue;
        const d = parsed.data;
        const updatedAt = timeOf(d.updatedAt);
        messages.push({
          enrollmentId: d.deliveryId.slice(0, d.deliveryId.lastIndexOf('#')),
          journeyId: d.journeyId,
          stepId: d.stepId,
          channel: d.channel,
          status: d.status,
          attempts: d.attempts,
          ...(updatedAt === undefined ? {} : { updatedAt }),
          ...(d.output == null ? {} : { output: d.output }),
          ...(d.detail == null ? {} : { detail: d.detail }),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return {
      userId,
      traits: { ...state.profile.traits },
      executions,
      enrollments: await enrollments.enrollments(userId),
      messages,
      experiments: await Promise.all(
        [...new Set(executions.map((e) => e.journeyId))].map(async (journeyId) => {
          const out = await doc.send(
            new GetCommand({ TableName: table(JOURNEYS_TABLE), Key: { journeyId, sk: LIVE_SK } }),
          );
          return { journeyId, states: RegistryEntry.safeParse(out.Item).data?.experiments ?? [] };
        }),
      ),
    };
  });
}
