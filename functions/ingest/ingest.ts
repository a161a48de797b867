import { SendTaskSuccessCommand, type SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startEnrollment } from '#functions/_lib/enrollments.ts';
import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { CachedRegistry } from '#functions/_lib/registry.ts';
import { isAlreadyDone } from '#functions/_lib/sfn-errors.ts';
import type { StatsRepository } from '#functions/_lib/stats.ts';
import { type CustomerEvent, customerIdOf, type EventProblem, parseCustomerEvent } from '#shared/events.ts';
import { type Finish, planIngest, type Resume, references } from '#shared/ingest/plan.ts';
import { profileChanges } from '#shared/ingest/profile-changes.ts';
import type { Waiter } from '#shared/ingest/state.ts';

export type IngestDeps = {
  profiles: ProfilesRepository;
  registry: CachedRegistry;
  stats: StatsRepository;
  sfn: SFNClient;
  sqs: SQSClient;
  rejectedQueueUrl: string;
  now: () => Date;
};

export type IngestResult =
  | { status: 'rejected'; problems: EventProblem[] }
  | { status: 'duplicate' | 'recorded'; enrolled: string[]; resumed: string[]; finished: string[] };

/** Keeps an invalid event with the reasons (never dropped silently); SQS errors throw so EventBridge retries. */
async function reject(deps: IngestDeps, original: unknown, problems: EventProblem[]): Promise<IngestResult> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.rejectedQueueUrl,
      MessageBody: JSON.stringify({ rejectedAt: deps.now().toISOString(), problems, event: original }),
    }),
  );
  return { status: 'rejected', problems };
}

async function resume(deps: IngestDeps, event: CustomerEvent, userId: string, { waiter, key }: Resume) {
  try {
    await deps.sfn.send(
      new SendTaskSuccessCommand({ taskToken: waiter.token, output: JSON.stringify(event) }),
    );
  } catch (error) {
    if (!isAlreadyDone(error)) throw error;
  }
  if (await deps.profiles.removeWaiter(userId, key, waiter)) {
    const version = waiter.version ?? '-';
    await deps.stats.increment({
      journeyId: waiter.journeyId,
      version,
      stepId: waiter.stepId,
      metric: 'eventReceived',
    });
  }
}

async function finish(deps: IngestDeps, userId: string, f: Finish, waiters: Waiter[]) {
  const { enrollment } = f;
  if (f.stop) {
    try {
      const cause = f.outcome === 'converted' ? 'goal reached' : 'exit event';
      await deps.sfn.send(new StopExecutionCommand({ executionArn: enrollment.executionArn, cause }));
    } catch (error) {
      if (!isAlreadyDone(error)) throw error;
    }
  }
  const first = await deps.profiles.finishEnrollment(
    userId,
    enrollment.enrollmentId,
    f.stop ? 'remove' : 'convert',
    waiters,
  );
  if (first) {
    await deps.stats.increment({
      journeyId: enrollment.journeyId,
      version: enrollment.version,
      metric: f.outcome,
    });
  }
}

/** Ingests one EventBridge event whose detail is a customer event. */
export async function ingestEvent(deps: IngestDeps, detail: unknown): Promise<IngestResult> {
  const parsed = parseCustomerEvent(detail);
  if (!parsed.ok) return reject(deps, detail, parsed.problems);
  const event = parsed.event;
  const userId = customerIdOf(event);
  const now = deps.now();
  const journeys = await deps.registry.live();
  const interested = journeys.some((j) => references(j, event));
  const recorded = await deps.profiles.recordEvent(profileChanges(event, userId), now, interested);
  const { state } = recorded;
  if (state === undefined) {
    return { status: recorded.duplicate ? 'duplicate' : 'recorded', enrolled: [], resumed: [], finished: [] };
  }
  const plan = planIngest({ event, userId, state, journeys, now });
  const at = now.toISOString();
  const enrolled: string[] = [];
  for (const p of plan.enroll) {
    const previous = state.reentry[p.reentryKey];
    const again = previous?.enrollmentId === p.enrollmentId;
    // A redelivery reuses the first attempt's time, so the execution input is identical.
    const entry = { userId, at: again ? previous.at : at, trigger: event, count: !again };
    if (await startEnrollment(deps, p, entry)) enrolled.push(p.enrollmentId);
  }
  for (const r of plan.resume) await resume(deps, event, userId, r);
  for (const f of plan.finish) {
    const waiters = state.waiters.filter((w) => w.enrollmentId === f.enrollment.enrollmentId);
    await finish(deps, userId, f, waiters);
  }
  return {
    status: recorded.duplicate ? 'duplicate' : 'recorded',
    enrolled,
    resumed: plan.resume.map((r) => r.waiter.enrollmentId),
    finished: plan.finish.map((f) => f.enrollment.enrollmentId),
  };
}
