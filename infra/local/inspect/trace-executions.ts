import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListStateMachinesCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { JOURNEY_STATE_MACHINE_PREFIX } from '#infra/constructs/journey-names.ts';
import { ErrorName } from '#shared/errors.ts';
import { stepOfState } from '#shared/journey/compile/context.ts';
import { type StepFailure, stepFailureOf } from '#shared/journey/ending.ts';
import { withStepFunctions } from '../services/stepfunctions/api/reader.ts';
import type { TraceSource } from './trace.ts';

/**
 * One enrollment as Step Functions tells it: DescribeExecution for its
 * status and input, GetExecutionHistory for the steps it entered and when,
 * where it went next, its deferrals and timeouts.
 */

export type TraceStep = {
  stepId: string;
  /** When the step was entered (ISO, journey time). */
  at: string;
  /** The step entered after it: the branch or variant taken. */
  next?: string;
  /** Each time a send was deferred: when, and until when. */
  deferrals: { at: string; until: string }[];
  /** A waitForEvent step whose event did not come in time. */
  timedOut?: boolean;
  /** A failure the journey caught and went on from. */
  error?: string;
  /** Why, as the failed task said it (`profile.traits.renewalDate has no value on this profile: …`). */
  reason?: string;
};

export type TraceExecution = {
  journeyId: string;
  version: string;
  enrollmentId: string;
  executionArn: string;
  status: string;
  startedAt: string;
  stoppedAt?: string;
  error?: string;
  cause?: string;
  /** The step whose failure ended it under the failure policy `exit` (the execution SUCCEEDED). */
  stepFailure?: StepFailure | undefined;
  buckets: Record<string, number>;
  steps: TraceStep[];
};

/** What the trace reads from an execution input (lenient about the rest, so older executions show too). */
const TracedInput = z.object({
  journeyVersion: z.string(),
  buckets: z.record(z.string(), z.number()).default({}),
});

const LambdaCause = z.object({ errorMessage: z.string() });
/** The most of a failure's message a trace shows. */
const REASON_CHARS = 300;

function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

/** The steps of a history, in order: a step re-entered after a deferral stays one step. */
export function stepsOf(events: readonly HistoryEvent[]): TraceStep[] {
  const steps: TraceStep[] = [];
  let current: TraceStep | undefined;
  for (const e of events) {
    const at = e.timestamp?.toISOString() ?? '';
    const entered = e.stateEnteredEventDetails?.name;
    if (entered !== undefined && e.type?.endsWith('StateEntered')) {
      // Helper states (`<step>.<role>`) belong to their step; journey-level states to none.
      const stepId = stepOfState(entered);
      if (stepId === undefined || current?.stepId === stepId) continue;
      if (current !== undefined) current.next = stepId;
      current = { stepId, at, deferrals: [] };
      steps.push(current);
      continue;
    }
    const failed = e.lambdaFunctionFailedEventDetails ?? e.taskFailedEventDetails;
    if (current !== undefined && failed !== undefined) {
      const until = LambdaCause.safeParse(parseJson(failed.cause)).data?.errorMessage;
      if (failed.error === ErrorName.Deferred && until !== undefined) current.deferrals.push({ at, until });
      else {
        current.error = failed.error;
        // A task's own message (a Lambda's errorMessage), bounded: it reads better than the error's name alone.
        if (until !== undefined && until.length > 0) current.reason = until.slice(0, REASON_CHARS);
        else delete current.reason;
      }
    }
    if (current !== undefined && (e.type === 'TaskTimedOut' || e.type === 'LambdaFunctionTimedOut'))
      current.timedOut = true;
  }
  return steps;
}

async function machineArns(client: SFNClient): Promise<Map<string, string>> {
  const arns = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken }));
    for (const m of page.stateMachines ?? [])
      if (m.name && m.stateMachineArn) arns.set(m.name, m.stateMachineArn);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return arns;
}

async function historyOf(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return events;
}

async function traceOne(
  client: SFNClient,
  executionArn: string,
  journeyId: string,
  enrollmentId: string,
): Promise<TraceExecution | undefined> {
  const described = await client
    .send(new DescribeExecutionCommand({ executionArn }))
    .catch((error: unknown) => {
      // Past Step Functions' 90-day retention, or never started (the entry was refused later).
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    });
  if (described === undefined) return undefined;
  const input = TracedInput.safeParse(parseJson(described.input)).data;
  return {
    journeyId,
    version: input?.journeyVersion ?? '?',
    enrollmentId,
    executionArn,
    status: described.status ?? 'RUNNING',
    startedAt: described.startDate?.toISOString() ?? '',
    ...(described.stopDate === undefined ? {} : { stoppedAt: described.stopDate.toISOString() }),
    ...(described.error === undefined ? {} : { error: described.error }),
    ...(described.cause === undefined ? {} : { cause: described.cause }),
    stepFailure: stepFailureOf(described.output),
    buckets: input?.buckets ?? {},
    steps: stepsOf(await historyOf(client, executionArn)),
  };
}

/** The executions of the given enrollments (id → journey id), oldest first. */
export async function readExecutionTraces(
  source: TraceSource,
  enrollments: ReadonlyMap<string, string>,
): Promise<TraceExecution[]> {
  if (enrollments.size === 0) return [];
  return withStepFunctions(source, async (client) => {
    const machines = await machineArns(client);
    const out: TraceExecution[] = [];
    for (const [enrollmentId, journeyId] of enrollments) {
      const machine = machines.get(`${JOURNEY_STATE_MACHINE_PREFIX}${journeyId}`);
      if (machine === undefined) continue;
      const executionArn = `${machine.replace(':stateMachine:', ':execution:')}:${enrollmentId}`;
      const traced = await traceOne(client, executionArn, journeyId, enrollmentId);
      if (traced !== undefined) out.push(traced);
    }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  });
}
