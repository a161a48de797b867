import { now } from '#functions/_lib/clock.ts';
import { countId, type EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { recordOwedConversion, recordPendingReceipt } from '#functions/_lib/enrollments.ts';
import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { StatsRepository } from '#functions/_lib/stats.ts';
import { stepFailureOf } from '#shared/journey/ending.ts';
import type { ActiveEnrollment } from '#shared/profile/state.ts';
import type { Outcome } from '#shared/stats/keys.ts';
import { type EnrollmentInput, parseEnrollmentInput } from '#shared/tasks/enrollment.ts';
import * as z from '#shared/zod.ts';

/**
 * The end of an enrollment, from the "Step Functions Execution Status
 * Change" event AWS puts on the default bus (the local Step Functions
 * stand-in emits the same): the waiting steps left (for an event or for a
 * message's outcome) are removed, the
 * enrollment item ends (kept only while a goal can still convert), and the
 * outcome is counted once.
 */

/** The `detail` of the event, as AWS documents it (epoch-millisecond dates, input as a JSON string). */
const ExecutionStatusDetail = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  name: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
  startDate: z.number(),
  stopDate: z.optional(z.nullable(z.number())),
  input: z.optional(z.nullable(z.string())),
  inputDetails: z.optional(z.nullable(z.object({ included: z.boolean() }))),
  output: z.optional(z.nullable(z.string())),
  outputDetails: z.optional(z.nullable(z.object({ included: z.boolean() }))),
  error: z.optional(z.nullable(z.string())),
  cause: z.optional(z.nullable(z.string())),
});
export type ExecutionStatusDetail = z.infer<typeof ExecutionStatusDetail>;

type EndStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/**
 * How an enrollment ended: `stoppedBy` a goal or exit event, else the execution's own status;
 * `stepFailed`: the step whose failure ended a SUCCEEDED execution (its failure policy `exit`).
 */
type EnrollmentOutcome = {
  journeyId: string;
  version: string;
  enrollmentId: string;
  userId: string;
  status: EndStatus;
  stoppedBy?: 'goal' | 'exit';
  stepFailed?: string;
  converted: boolean;
  error?: string;
  endedAt: string;
};

const BY_STATUS = {
  SUCCEEDED: 'completed',
  FAILED: 'failed',
  TIMED_OUT: 'timedOut',
  ABORTED: 'aborted',
} as const satisfies Record<EndStatus, Outcome>;

/**
 * The outcome the funnel counts: an execution that ingest stopped for a goal
 * or an exit event ends ABORTED, and counts as that reason, not as an abort;
 * one a failed step ended SUCCEEDED, and counts as that failure, not as completed.
 */
function outcomeOf(outcome: Pick<EnrollmentOutcome, 'status' | 'stoppedBy' | 'stepFailed'>): Outcome {
  if (outcome.status === 'ABORTED' && outcome.stoppedBy === 'goal') return 'goal';
  if (outcome.status === 'ABORTED' && outcome.stoppedBy === 'exit') return 'exited';
  if (outcome.status === 'SUCCEEDED' && outcome.stepFailed !== undefined) return 'stepFailed';
  return BY_STATUS[outcome.status];
}

export type StatusDeps = {
  enrollments: EnrollmentItems;
  profiles: ProfilesRepository;
  stats: Pick<StatsRepository, 'recordOutcome' | 'recordEnrollment' | 'recordConversion' | 'recordReceived'>;
  /**
   * The input and output of an execution (DescribeExecution), for an event that left them out;
   * without it such an end is ignored.
   */
  describeExecution?: (executionArn: string) => Promise<ExecutionData>;
};

/** An execution's input and output (JSON text), as DescribeExecution gives them. */
export type ExecutionData = { input?: string; output?: string };

export type StatusResult =
  | { status: 'ended'; outcome: EnrollmentOutcome; waitersRemoved: number }
  | { status: 'ignored'; reason: string };

function isEnd(status: ExecutionStatusDetail['status']): status is EndStatus {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';
}

/** Handles one execution status change; only ends matter, and each is applied once. */
export async function executionStatusChanged(deps: StatusDeps, detail: unknown): Promise<StatusResult> {
  const parsed = ExecutionStatusDetail.safeParse(detail);
  if (!parsed.success)
    return { status: 'ignored', reason: `not an execution status change: ${parsed.error.message}` };
  const change = parsed.data;
  if (!isEnd(change.status)) return { status: 'ignored', reason: `status ${change.status}` };
  const data = await executionData(deps, change);
  const input = parseInput(data.input);
  if (input === undefined) return { status: 'ignored', reason: 'the execution input is not an enrollment' };
  const stepFailed = change.status === 'SUCCEEDED' ? stepFailureOf(data.output)?.stepId : undefined;
  // Journey time when the event has no stop date: the local runtime's clock is not the machine's.
  const endedAt = (change.stopDate == null ? now() : new Date(change.stopDate)).toISOString();
  const { userId, enrollmentId } = input;
  let waitersRemoved = 0;
  const waiting = await deps.enrollments.waitingOf(userId, enrollmentId);
  for (const waiter of waiting.waiters) {
    // An event resumed the step and stopped before its count was known written: counted before the waiter goes.
    await recordPendingReceipt(deps.stats, waiter);
    if (!(await deps.enrollments.removeWaiter(userId, waiter))) continue;
    await deps.profiles.releaseWaiting(userId, waiter);
    waitersRemoved += 1;
  }
  // A message step stopped mid-wait for its outcome: its waiter goes with the execution, not a week after its window.
  for (const waiter of waiting.outcomes) await deps.enrollments.outcomes.remove(userId, waiter.messageId);
  // Marked ended with its outcome's count pending, then counted, then settled: a retry after a
  // crash between the writes finds the count pending on the item and writes it, once.
  const ended = await deps.enrollments.endCounted(userId, enrollmentId, endedAt);
  const found = ended === undefined ? await deps.enrollments.enrollment(userId, enrollmentId) : undefined;
  const owed = ended?.owed ?? deps.enrollments.pendingOn(found, 'ended');
  const enrollment = ended?.enrollment ?? found;
  if (enrollment === undefined || owed === undefined) return { status: 'ignored', reason: 'already ended' };
  const outcome: EnrollmentOutcome = {
    journeyId: input.journeyId,
    version: input.journeyVersion,
    enrollmentId,
    userId,
    status: change.status,
    ...(enrollment.stoppedBy === undefined ? {} : { stoppedBy: enrollment.stoppedBy }),
    ...(stepFailed === undefined ? {} : { stepFailed }),
    converted: enrollment.converted === true,
    ...(change.error == null ? {} : { error: change.error }),
    endedAt: enrollment.endedAt ?? endedAt,
  };
  await deps.stats.recordOutcome(
    {
      journeyId: outcome.journeyId,
      version: outcome.version,
      outcome: outcomeOf(outcome),
      variants: enrollment.variants,
    },
    { id: countId(enrollmentId, 'ended'), ...owed },
  );
  await settleOtherCounts(deps, enrollment);
  await deps.enrollments.settleEnd(userId, enrollment);
  return { status: 'ended', outcome, waitersRemoved };
}

/**
 * The entry or conversion counts an earlier attempt left pending on the item
 * (it stopped between its mark and its count, and nothing retried it since):
 * written before the item goes, once.
 */
async function settleOtherCounts(deps: StatusDeps, enrollment: ActiveEnrollment) {
  const { journeyId, version, enrollmentId, variants = [], start } = enrollment;
  const entered = deps.enrollments.pendingOn(enrollment, 'enrolled');
  if (entered !== undefined)
    await deps.stats.recordEnrollment(
      { journeyId, version, variants, ...(start === undefined ? {} : { start }) },
      { id: countId(enrollmentId, 'enrolled'), ...entered },
    );
  const converted = deps.enrollments.pendingOn(enrollment, 'converted');
  if (converted !== undefined) await recordOwedConversion(deps.stats, enrollment, converted);
}

/**
 * The execution's input, and its output when it succeeded (a failed step's exit is read from it).
 * AWS leaves both out of the event when together they pass 248 KB: the execution still has them.
 */
async function executionData(deps: StatusDeps, change: ExecutionStatusDetail): Promise<ExecutionData> {
  const inputHere = change.input != null && change.inputDetails?.included !== false;
  const outputHere =
    change.status !== 'SUCCEEDED' || (change.output != null && change.outputDetails?.included !== false);
  if (inputHere && outputHere)
    return { input: change.input ?? undefined, output: change.output ?? undefined };
  const described = (await deps.describeExecution?.(change.executionArn)) ?? {};
  return {
    input: inputHere ? (change.input ?? undefined) : described.input,
    output: outputHere ? (change.output ?? undefined) : described.output,
  };
}

function parseInput(raw: string | null | undefined): EnrollmentInput | undefined {
  if (raw == null) return undefined;
  try {
    return parseEnrollmentInput(JSON.parse(raw));
  } catch {
    return undefined;
  }
}
