import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { feedbackItemId } from '#functions/_lib/deliveries.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { FEEDBACK_KINDS, type FeedbackOutcome } from '#shared/delivery/feedback.ts';
import type { ExperimentState } from '#shared/ingest/experiments.ts';
import type { Profile } from '#shared/profile/profile.ts';
import { type ActiveEnrollment, ReentryRecord } from '#shared/profile/state.ts';
import { DELIVERIES_TABLE, ENROLLMENTS_TABLE, enrollmentKeys, PROFILES_TABLE } from '#shared/tables.ts';
import { SendMessageOutput } from '#shared/tasks/send-message.ts';
import { type EntrySkipped, readEntrySkips } from '../runtime/activity.ts';
import { readConversions } from '../runtime/conversions.ts';
import { type DataSource, type OpenData, withData } from '../runtime/data.ts';
import { experimentsOf, hasRegistry } from './results.ts';
import { readExecutionTraces, type TraceExecution } from './trace-executions.ts';

export type { TraceExecution, TraceStep } from './trace-executions.ts';

/**
 * What is known about one customer, for `journeys trace` and the console:
 * the profile, every enrollment the tables know of — running, within its
 * goal window, the last entry per journey kept for re-entry, and every one
 * that tried to send a message — each read from Step Functions
 * (DescribeExecution, GetExecutionHistory) with its steps, and each message
 * step's last outcome from the deliveries table. The same reads run locally
 * and on AWS.
 */

export type TraceMessage = {
  enrollmentId: string;
  journeyId: string;
  stepId: string;
  /** The visit of a step on a loop the message is for (when the step was entered): one message per visit. */
  visit?: string;
  channel: string;
  status: string;
  attempts: number;
  updatedAt?: string;
  output?: SendMessageOutput;
  detail?: string;
  /** What the provider reported back on a sent message (delivered, opened, bounced…), oldest first. */
  feedback?: { outcome: FeedbackOutcome; at: string }[];
};

type TraceProfile = Pick<Profile, 'traits' | 'consent' | 'timezone' | 'email' | 'phone'>;

export type Trace = {
  userId: string;
  profile: TraceProfile;
  executions: TraceExecution[];
  enrollments: ActiveEnrollment[];
  messages: TraceMessage[];
  /** The experiments of the journeys traced, as the registry records them now. */
  experiments: { journeyId: string; states: ExperimentState[] }[];
  /**
   * Locally, the enrollments traced that reached their goal (the runtime's
   * conversions log): a goal with `exit: false` leaves the execution to end
   * on its own, and the enrollment item goes once it has ended and converted.
   */
  conversions?: string[];
  /** Locally, the entries ingest skipped for the customer (the runtime's activity log), with why, oldest first. */
  skipped?: (EntrySkipped['entrySkipped'] & { at: string })[];
};

const Delivery = z.object({
  deliveryId: z.string(),
  journeyId: z.string(),
  stepId: z.string(),
  channel: z.string(),
  status: z.string(),
  attempts: z.number().default(1),
  updatedAt: z.union([z.string(), z.number()]).optional(),
  output: z.nullish(SendMessageOutput),
  detail: z.string().nullish(),
});

const ReentryItem = z.object({ ...ReentryRecord.shape, sk: z.string() });

function timeOf(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? new Date(value).toISOString() : value;
}

/**
 * A customer's message attempts. The deliveries table is keyed by execution
 * and step, with no index by customer: this scans it (small locally; on AWS
 * it reads the whole table, bounded by its 400-day TTL — fine for a support
 * question, not for a dashboard).
 */
async function deliveriesOf({ doc, table }: OpenData, userIds: readonly string[]): Promise<TraceMessage[]> {
  const names = Object.fromEntries(userIds.map((id, i) => [`:u${i}`, id]));
  const messages: TraceMessage[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table(DELIVERIES_TABLE),
        FilterExpression: `userId IN (${Object.keys(names).join(', ')})`,
        ExpressionAttributeValues: names,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const parsed = Delivery.safeParse(item);
      if (!parsed.success) continue;
      const d = parsed.data;
      const updatedAt = timeOf(d.updatedAt);
      const enrollmentId = d.deliveryId.slice(0, d.deliveryId.lastIndexOf('#'));
      // `<enrollment>#<step>@<visit>` for a step on a loop (deliveryIdOf).
      const keyed = `${enrollmentId}#${d.stepId}@`;
      const visit = d.deliveryId.startsWith(keyed) ? d.deliveryId.slice(keyed.length) : undefined;
      messages.push({
        enrollmentId,
        journeyId: d.journeyId,
        stepId: d.stepId,
        ...(visit === undefined ? {} : { visit }),
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
  return messages;
}

const FeedbackItem = z.object({ deliveryId: z.string(), at: z.string() });
/** Keys per BatchGetItem call (the API's limit). */
const BATCH = 100;

/**
 * The feedback recorded for the customer's sent messages: one item per
 * message and outcome, read by key (BatchGetItem), as delivery feedback
 * wrote them. Each message gets its outcomes, oldest first.
 */
async function withFeedback({ doc, table }: OpenData, messages: TraceMessage[]): Promise<TraceMessage[]> {
  const byKey = new Map<string, { messageId: string; outcome: FeedbackOutcome }>();
  for (const m of messages) {
    if (m.output?.status !== 'sent') continue;
    for (const outcome of FEEDBACK_KINDS) {
      // SES's own "sent" is the send the delivery already records.
      if (outcome !== 'sent')
        byKey.set(feedbackItemId(m.output.messageId, outcome), { messageId: m.output.messageId, outcome });
    }
  }
  const found = new Map<string, { outcome: FeedbackOutcome; at: string }[]>();
  const keys = [...byKey.keys()];
  for (let i = 0; i < keys.length; i += BATCH) {
    let request: BatchGetCommandInput['RequestItems'] = {
      [table(DELIVERIES_TABLE)]: { Keys: keys.slice(i, i + BATCH).map((deliveryId) => ({ deliveryId })) },
    };
    while (request !== undefined && Object.keys(request).length > 0) {
      const out: BatchGetCommandOutput = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[table(DELIVERIES_TABLE)] ?? []) {
        const parsed = FeedbackItem.safeParse(item);
        const key = parsed.success ? byKey.get(parsed.data.deliveryId) : undefined;
        if (key === undefined || !parsed.success) continue;
        found.set(key.messageId, [
          ...(found.get(key.messageId) ?? []),
          { outcome: key.outcome, at: parsed.data.at },
        ]);
      }
      request = out.UnprocessedKeys;
    }
  }
  return messages.map((m) => {
    const feedback = m.output?.status === 'sent' ? found.get(m.output.messageId) : undefined;
    if (feedback === undefined) return m;
    return {
      ...m,
      feedback: feedback.sort((a, b) => a.at.localeCompare(b.at) || rank(a.outcome) - rank(b.outcome)),
    };
  });
}

function rank(outcome: FeedbackOutcome): number {
  return FEEDBACK_KINDS.indexOf(outcome);
}

/** The customer's re-entry records: the last enrollment of each journey (and correlation key). */
async function reentriesOf({ doc, table }: OpenData, userId: string) {
  const out = await doc.send(
    new QueryCommand({
      TableName: table(ENROLLMENTS_TABLE),
      KeyConditionExpression: 'userId = :u AND begins_with(sk, :r)',
      ExpressionAttributeValues: { ':u': userId, ':r': enrollmentKeys.reentry('') },
    }),
  );
  return (out.Items ?? []).flatMap((item) => {
    const parsed = ReentryItem.safeParse(item);
    if (!parsed.success) return [];
    const key = parsed.data.sk.slice(enrollmentKeys.reentry('').length);
    return [{ enrollmentId: parsed.data.enrollmentId, journeyId: key.split('#')[0] ?? key }];
  });
}

export type TraceSource = DataSource & { sfnEndpoint?: string };

/** Reads one customer's trace from the local runtime (running or not) or from AWS. */
export async function readTrace(source: TraceSource, userId: string): Promise<Trace> {
  const found = await withData(source, async (data) => {
    const enrollments = new EnrollmentItems(data.doc, data.table(ENROLLMENTS_TABLE));
    const profiles = new ProfilesRepository(data.doc, data.table(PROFILES_TABLE), enrollments);
    const { profile, mergedKeys = [] } = await profiles.get(userId);
    // Enrollments entered under an id merged into this profile (a visitor who signed in) run on under it.
    const ids = [userId, ...mergedKeys];
    const enrolled = (await Promise.all(ids.map((id) => enrollments.enrollments(id)))).flat();
    const reentries = (await Promise.all(ids.map((id) => reentriesOf(data, id)))).flat();
    const messages = await withFeedback(data, await deliveriesOf(data, ids));
    const journeyIds = new Set([...enrolled, ...reentries, ...messages].map((e) => e.journeyId));
    const experiments = hasRegistry(source)
      ? await Promise.all(
          [...journeyIds].map(async (journeyId) => ({
            journeyId,
            states: await experimentsOf(data, journeyId),
          })),
        )
      : [];
    return {
      profile: {
        traits: { ...profile.traits },
        consent: profile.consent,
        ...(profile.timezone === undefined ? {} : { timezone: profile.timezone }),
        ...(profile.email === undefined ? {} : { email: profile.email }),
        ...(profile.phone === undefined ? {} : { phone: profile.phone }),
      },
      enrollments: enrolled,
      reentries,
      messages,
      experiments,
      ids,
    };
  });
  // Every enrollment id the tables name, with its journey (the state machine is journey-<id>).
  const known = new Map<string, string>();
  for (const e of [...found.enrollments, ...found.reentries, ...found.messages])
    known.set(e.enrollmentId, e.journeyId);
  const executions = await readExecutionTraces(source, known);
  const traced = new Set([...known.keys(), ...executions.map((x) => x.enrollmentId)]);
  const conversions =
    source.kind === 'local'
      ? (await readConversions(source.dataDir)).map((c) => c.enrollmentId).filter((id) => traced.has(id))
      : undefined;
  const ids = new Set(found.ids);
  const skipped =
    source.kind === 'local'
      ? (await readEntrySkips(source.dataDir))
          .filter((s) => ids.has(s.entrySkipped.userId))
          .map((s) => ({ at: s.at, ...s.entrySkipped }))
      : undefined;
  return {
    userId,
    profile: found.profile,
    executions,
    enrollments: found.enrollments,
    messages: found.messages,
    experiments: found.experiments,
    ...(conversions === undefined ? {} : { conversions }),
    ...(skipped === undefined ? {} : { skipped }),
  };
}
