import type { SFNClient } from '@aws-sdk/client-sfn';
import type { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { recordPendingReceipt } from '#functions/_lib/enrollments.ts';
import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { RegistryRepository } from '#functions/_lib/registry.ts';
import { resumeWaiter } from '#functions/_lib/resume-waiter.ts';
import type { StatsRepository } from '#functions/_lib/stats.ts';
import type { TrackEvent } from '#shared/events.ts';
import { planIngest, waiterMatches } from '#shared/ingest/plan.ts';
import { type ProfileState, triggerValuesFor, type Waiter, waiterKey } from '#shared/profile/state.ts';
import type { AwaitEventInput, WaitTimedOutInput } from '#shared/tasks/await-event.ts';

export type AwaitDeps = {
  profiles: ProfilesRepository;
  enrollments: EnrollmentItems;
  journeys: Pick<RegistryRepository, 'get'>;
  /** Counts the event a step finds already there (`eventReceived`), as ingest counts the one it delivers. */
  stats: Pick<StatsRepository, 'recordReceived'>;
  sfn: SFNClient;
  now: () => Date;
};
export type AwaitResult = { status: 'waiting' | 'resumed'; key: string };

/**
 * Registers the task token of a wait-for-event step as its own item, then
 * counts it in the profile's summary (profile-waiting.ts). That write returns the profile, so an
 * awaited event that arrived after the step began (before the token was
 * registered) resumes the step at once, and is counted received as ingest counts it.
 */
export async function awaitEvent(deps: AwaitDeps, input: AwaitEventInput): Promise<AwaitResult> {
  const key = waiterKey(input.enrollmentId, input.stepId);
  const waiter: Waiter = {
    enrollmentId: input.enrollmentId,
    journeyId: input.journeyId,
    version: input.journeyVersion,
    stepId: input.stepId,
    event: input.event,
    where: input.where,
    ...(input.defaultTimezone === undefined ? {} : { defaultTimezone: input.defaultTimezone }),
    match: input.match,
    ...(input.requires === undefined ? {} : { requires: input.requires }),
    token: input.token,
    startedAt: input.startedAt,
    expiresAt: new Date(new Date(input.startedAt).getTime() + input.timeoutSeconds * 1000).toISOString(),
    trigger: triggerValuesFor(input.where, input.trigger),
  };
  // The waiter first, then its digest in the summary: a digest ingest reads always has its waiter.
  // A received event still pending on the registration this one replaces is counted as that one's.
  await deps.enrollments.putWaiter(input.userId, waiter, (earlier) =>
    recordPendingReceipt(deps.stats, earlier),
  );
  const counted = await deps.profiles.countWaiting(input.userId, waiter);
  // An enrollment entered before its customer's profile was merged: the events arrive on the joined profile.
  const state = counted.aliasOf !== undefined ? await deps.profiles.get(input.userId) : counted;
  const last = state.lastEvents[input.event];
  // The event that started this enrollment is not its answer, even when the step began in the same
  // millisecond, nor is the one that answered its last wait (a loop back to this step, on journey time).
  if (
    last === undefined ||
    last.messageId === triggerMessageId(input.trigger) ||
    last.messageId === input.previous
  )
    return { status: 'waiting', key };
  const event: TrackEvent = {
    type: 'track',
    event: input.event,
    userId: input.userId,
    messageId: last.messageId,
    timestamp: last.timestamp,
    properties: last.properties,
  };
  // Matched against the full trigger: the stored waiter keeps only the values its filter reads.
  if (!waiterMatches({ ...waiter, trigger: input.trigger }, event, state, deps.now()))
    return { status: 'waiting', key };
  // Ingest records an event before it stops the enrollments the event ends: resuming here could run a step first.
  if (await isStopping(deps, input, event, state)) return { status: 'waiting', key };
  // Marked, resumed and counted as ingest does (resume-waiter.ts), whichever of ingest and this step
  // (or a repeat of it, with the same token) marks it first. A step that timed out meanwhile (or that
  // ingest resumed first) is not resumed by this call; one an earlier attempt may have resumed, past
  // its timeout, keeps its waiter for its timeout path or its execution's end.
  const outcome = await resumeWaiter(deps, input.userId, waiter, JSON.stringify(event));
  if (outcome !== 'unsure' && (await deps.enrollments.removeWaiter(input.userId, waiter))) {
    await deps.profiles.releaseWaiting(input.userId, waiter);
  }
  return { status: 'resumed', key };
}

/** The messageId of the event that started the enrollment (a segment run's trigger has none). */
function triggerMessageId(trigger: unknown): unknown {
  return typeof trigger === 'object' && trigger !== null && 'messageId' in trigger
    ? trigger.messageId
    : undefined;
}

/** A step's wait timed out: its waiter and its count in the profile's summary go now. */
export async function waitTimedOut(
  deps: Pick<AwaitDeps, 'profiles' | 'enrollments'>,
  input: WaitTimedOutInput,
): Promise<{ removed: boolean }> {
  const removed = await deps.enrollments.removeStepWaiter(input.userId, input);
  if (removed !== undefined) await deps.profiles.releaseWaiting(input.userId, { ...input, token: removed });
  return { removed: removed !== undefined };
}

/**
 * True when the enrollment is being stopped: ingest marked it, or the event
 * is one it will stop it for (a goal with `exit`, an exit event) — judged by
 * the same plan ingest carries out. Read only when an arrived event matches.
 */
async function isStopping(
  deps: AwaitDeps,
  input: AwaitEventInput,
  event: TrackEvent,
  state: ProfileState,
): Promise<boolean> {
  const enrollment = await deps.enrollments.enrollment(input.userId, input.enrollmentId);
  // No record: the execution already ended (or predates the records); resuming it is harmless.
  if (enrollment === undefined) return false;
  if (enrollment.stoppedBy !== undefined) return true;
  const journey = await deps.journeys.get(input.journeyId);
  if (journey === undefined) return false;
  const plan = planIngest({
    event,
    userId: input.userId,
    state,
    journeys: [journey],
    now: deps.now(),
    enrollments: [enrollment],
  });
  return plan.finish.some((f) => f.stop && f.enrollment.enrollmentId === input.enrollmentId);
}
