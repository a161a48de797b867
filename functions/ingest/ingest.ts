import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EnrollmentItems, OwedCount } from '#functions/_lib/enrollment-items.ts';
import {
  bucketKeyOf,
  enteredAsMerged,
  recordOwedConversion,
  recordPendingReceipt,
  recordSkip,
  reentrySkip,
  startEnrollment,
} from '#functions/_lib/enrollments.ts';
import type { ExperimentJudge } from '#functions/_lib/experiments.ts';
import type { ProfileIdentities } from '#functions/_lib/identity.ts';
import { logger, metrics } from '#functions/_lib/observability.ts';
import { correctionOf, overflowOf, waitsFor } from '#functions/_lib/profile-waiting.ts';
import type { ProfilesRepository, RecordedEvent } from '#functions/_lib/profiles.ts';
import type { CachedRegistry } from '#functions/_lib/registry.ts';
import { resumeWaiter } from '#functions/_lib/resume-waiter.ts';
import { isAlreadyDone } from '#functions/_lib/sfn-errors.ts';
import type { CountOnce, CountResult, StatsRepository } from '#functions/_lib/stats.ts';
import {
  type CustomerEvent,
  customerIdOf,
  type EventProblem,
  isAliasCall,
  notAfterArrival,
  parseAliasEvent,
  parseCustomerEvent,
} from '#shared/events.ts';
import type { EntrySkip, SkipDetail, SkipReason } from '#shared/ingest/entry-skip.ts';
import {
  awaitedByRunning,
  awaitedEvents,
  countedEvents,
  type ListedJourney,
  type LiveJourney,
} from '#shared/ingest/live-journey.ts';
import {
  entryBuckets,
  type Finish,
  finishes,
  type IngestPlan,
  maySkip,
  planIngest,
  type Resume,
  references,
} from '#shared/ingest/plan.ts';
import { MAX_COUNTED_EVENT_NAMES } from '#shared/ingest/profile-share.ts';
import { jsonWithin, MAX_AWAITED_EVENT_BYTES } from '#shared/journey/state-budget.ts';
import { METRICS } from '#shared/metrics.ts';
import { profileChanges } from '#shared/profile/changes.ts';
import type { RefusedOptIn } from '#shared/profile/refused-opt-in.ts';
import type { ActiveEnrollment, ProfileState, Waiter } from '#shared/profile/state.ts';
import { mergeAlias, recordOnProfile } from './identity.ts';
import { rejectedMessageBody } from './rejected-message.ts';

export type IngestDeps = {
  profiles: ProfilesRepository;
  identities: ProfileIdentities;
  enrollments: EnrollmentItems;
  registry: CachedRegistry;
  stats: StatsRepository;
  /** Ends the experiments of the journeys it enrolls into, when due. */
  experiments?: ExperimentJudge;
  sfn: SFNClient;
  sqs: SQSClient;
  rejectedQueueUrl: string;
  /**
   * The event sources whose alias calls may merge two known customers (an id
   * migration from a backend); absent or empty: from every source an alias
   * merges only an anonymous visitor's id into a customer.
   */
  aliasTrustedSources?: ReadonlySet<string>;
  now: () => Date;
  /**
   * Told how each delivery ended, as soon as it is known: `ingested` by the
   * delivery whose write recorded the event (once), `duplicate` by one that
   * found it recorded (a redelivery, a retry), `rejected` by each rejection.
   */
  counted?: (delivery: DeliveryOutcome) => void;
};

export type DeliveryOutcome = 'ingested' | 'duplicate' | 'rejected';

export type IngestResult =
  | { status: 'rejected'; problems: EventProblem[] }
  | {
      status: 'duplicate' | 'recorded';
      enrolled: string[];
      resumed: string[];
      finished: string[];
      /** The enrollments whose goal this event reached: each is listed by the one delivery that counted it. */
      converted: string[];
      /**
       * The entries the event did not make, and why: at most one per journey. A delivery of an
       * event already recorded lists only those it counted (its earlier attempt stopped first).
       */
      skipped: EntrySkip[];
      /** The event's opt-ins left out as older than the last opt-out, said by the delivery that recorded it. */
      refusedOptIns?: RefusedOptIn[];
    };

/** The cause of the StopExecution that ends an enrollment on its goal or on an exit event. */
export const STOP_CAUSES = { converted: 'goal reached', exited: 'exit event' } as const;

/** Keeps an invalid event with the reasons (never dropped silently); SQS errors throw so EventBridge retries. */
async function reject(deps: IngestDeps, original: unknown, problems: EventProblem[]): Promise<IngestResult> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.rejectedQueueUrl,
      MessageBody: rejectedMessageBody({ rejectedAt: deps.now().toISOString(), problems, event: original }),
    }),
  );
  deps.counted?.('rejected');
  return { status: 'rejected', problems };
}

/**
 * Resumes a waiting step with the event; false when it resumed nothing (too
 * large: counted at the step, as `once` says: under the guard with the
 * event's mark, not again, or plainly).
 */
async function resume(
  deps: IngestDeps,
  event: CustomerEvent,
  userId: string,
  { waiter }: Resume,
  once: (id: string) => CountOnce | 'counted' | undefined,
): Promise<boolean> {
  const version = waiter.version ?? '-';
  const output = jsonWithin(event, MAX_AWAITED_EVENT_BYTES);
  // Past its share of the execution's state, the event would fail the execution: the step keeps
  // waiting (a later event or its timeout moves it on) and the event is counted at the step.
  if (!output.fits) {
    const { journeyId, stepId } = waiter;
    const counting = once(`${event.messageId}#ignored#${waiter.enrollmentId}#${stepId}`);
    if (counting !== 'counted')
      await deps.stats.increment(
        { journeyId, version, stepId, metric: 'eventIgnored', reason: 'tooLarge' },
        1,
        undefined,
        counting,
      );
    return false;
  }
  // Marked, resumed and counted once (resume-waiter.ts). A step an earlier attempt may have resumed,
  // past its timeout, keeps its waiter: its timeout path or its execution's end settles it.
  const outcome = await resumeWaiter(deps, userId, waiter, output.json);
  if (outcome === 'unsure') return false;
  // Counted (or not received): the waiter goes without counting its mark again.
  const { receivedPending: _counted, ...settled } = waiter;
  await removeWaiter(deps, userId, settled);
  return outcome === 'resumed' || outcome === 'answered';
}

/** Removes a waiter and its count in the profile's summary, once; a received event still pending on it is counted first. */
async function removeWaiter(
  deps: Pick<IngestDeps, 'enrollments' | 'profiles' | 'stats'>,
  userId: string,
  waiter: Waiter,
) {
  await recordPendingReceipt(deps.stats, waiter);
  if (!(await deps.enrollments.removeWaiter(userId, waiter))) return false;
  await deps.profiles.releaseWaiting(userId, waiter);
  return true;
}

/** Stops or converts an enrollment; true when this call counted its conversion. */
async function finish(deps: IngestDeps, userId: string, f: Finish, messageId: string): Promise<boolean> {
  const { enrollment } = f;
  const { enrollmentId } = enrollment;
  const converts = f.outcome === 'converted' && f.credit !== false;
  const conversion = { at: deps.now(), value: f.value };
  // Marked before the stop, so a waiting step registering meanwhile is not resumed (see await-event).
  // A goal that stops and converts marks both in one write.
  if (f.stop && !converts)
    await deps.enrollments.markStopped(userId, enrollmentId, f.outcome === 'converted' ? 'goal' : 'exit');
  // The conditional mark makes a conversion count once even when the event is redelivered; the
  // count stays pending on it until written, so a retry after a crash between the two counts it.
  const owed = !converts
    ? undefined
    : f.stop
      ? await deps.enrollments.markGoalStop(userId, enrollment, messageId, conversion)
      : await deps.enrollments.markConverted(userId, enrollment, messageId, conversion);
  if (f.stop) {
    try {
      const cause = STOP_CAUSES[f.outcome];
      await deps.sfn.send(new StopExecutionCommand({ executionArn: enrollment.executionArn, cause }));
    } catch (error) {
      if (!isAlreadyDone(error)) throw error;
    }
  }
  // How a stopped enrollment ended (goal or exit) is counted by execution-status, from the mark above.
  if (owed === undefined) return false;
  await countConversion(
    deps,
    userId,
    { ...enrollment, convertedAt: deps.now().toISOString(), convertedValue: f.value },
    owed,
  );
  return true;
}

/** Writes a marked conversion's count (recordOwedConversion), then settles its mark. */
async function countConversion(
  deps: Pick<IngestDeps, 'enrollments' | 'stats'>,
  userId: string,
  enrollment: ActiveEnrollment,
  owed: OwedCount,
) {
  const { enrollmentId } = enrollment;
  await recordOwedConversion(deps.stats, enrollment, owed);
  await deps.enrollments.settleCount(userId, enrollmentId, 'converted');
  // A goal after the execution ended was the last thing its item waited for.
  if (enrollment.endedAt !== undefined) await deps.enrollments.forget(userId, enrollmentId);
}

/**
 * The conversions this event marked whose count an earlier delivery left
 * pending (it stopped between the mark and the count): written now, once.
 */
async function settlePendingConversions(
  deps: IngestDeps,
  ownerOf: (enrollmentId: string) => string,
  enrollments: readonly ActiveEnrollment[],
  messageId: string,
): Promise<void> {
  for (const enrollment of enrollments) {
    if (enrollment.convertedBy !== messageId) continue;
    const owed = deps.enrollments.pendingOn(enrollment, 'converted');
    if (owed !== undefined) await countConversion(deps, ownerOf(enrollment.enrollmentId), enrollment, owed);
  }
}

/** Dropped traits are kept with their reasons, like a rejected event; the rest of the event is applied. */
async function keepDropped(
  deps: IngestDeps,
  event: CustomerEvent,
  dropped: { trait: string; reason: string }[],
) {
  if (dropped.length === 0) return;
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.rejectedQueueUrl,
      MessageBody: rejectedMessageBody({
        rejectedAt: deps.now().toISOString(),
        problems: dropped.map((d) => ({ field: `traits.${d.trait}`, message: d.reason })),
        partial: 'the rest of the event was applied',
        event: {
          ...event,
          traits: Object.fromEntries(dropped.map((d) => [d.trait, event.traits?.[d.trait]])),
        },
      }),
    }),
  );
}

/**
 * The report of traits the event's changes or the profile write left out, sent once the write
 * took the event, then settled on the profile (report-pending.ts): a redelivery reports again
 * only when the invocation that wrote the event died before settling it. A queue that refuses
 * the report does not fail the event (the rest of it was applied): the report is logged with the
 * traits and their reasons and counted, with the error's name, and settled as accounted for.
 */
async function keepDroppedAfterWrite(
  deps: IngestDeps,
  event: CustomerEvent,
  dropped: { trait: string; reason: string }[],
) {
  if (dropped.length === 0) return;
  try {
    await keepDropped(deps, event, dropped);
  } catch (error) {
    reportLost(event, dropped, error);
  }
}

function reportLost(event: CustomerEvent, dropped: { trait: string; reason: string }[], error: unknown) {
  const reason = error instanceof Error ? error.name : 'Error';
  const single = metrics.singleMetric();
  single.addDimensions({ reason });
  single.addMetric(METRICS.droppedTraitReportsLost, MetricUnit.Count, 1);
  logger.error('traits left out of the profile not kept in the rejected queue', {
    reason,
    error,
    messageId: event.messageId,
    dropped,
  });
}

/** What the handler's parser gives: the EventBridge event, or why the invocation is not one. */
export type Delivery =
  | { success: true; data: { detail: unknown; source?: string } }
  | { success: false; error: { message: string }; originalEvent?: unknown };

/** Ingests one invocation: the customer event in an EventBridge event's detail. */
export async function ingestDelivery(deps: IngestDeps, delivery: Delivery): Promise<IngestResult> {
  if (delivery.success) return ingestEvent(deps, delivery.data.detail, delivery.data.source);
  // Invoked by hand with the customer event alone, or with a failure record from the dead-letter
  // queue: the problems of the event inside would send the developer looking in the wrong place.
  return reject(deps, delivery.originalEvent, [{ field: '(envelope)', message: ENVELOPE_PROBLEM }]);
}

const ENVELOPE_PROBLEM =
  'is not an EventBridge event: ingest takes customer events from the bus (PutEvents, or a rule ' +
  "invoking it), each with the Segment-spec event in `detail`; to replay a dead-lettered failure, invoke it with the record's requestPayload";

/**
 * Ingests one EventBridge event whose detail is a customer event; `source` is
 * the EventBridge source it came from (none: a source trusted with nothing).
 */
export async function ingestEvent(deps: IngestDeps, detail: unknown, source?: string): Promise<IngestResult> {
  if (isAliasCall(detail)) {
    const alias = parseAliasEvent(detail);
    const now = deps.now();
    if (!alias.ok) return reject(deps, detail, alias.problems);
    const trusted = source !== undefined && deps.aliasTrustedSources?.has(source) === true;
    const merged = await mergeAlias(deps, notAfterArrival(alias.event, now), now, { trusted, source });
    if (merged.problems.length > 0) return reject(deps, detail, merged.problems);
    deps.counted?.(merged.duplicate ? 'duplicate' : 'ingested');
    const status = merged.duplicate ? 'duplicate' : 'recorded';
    return { status, enrolled: [], resumed: [], finished: [], converted: [], skipped: [] };
  }
  const parsed = parseCustomerEvent(detail);
  if (!parsed.ok) return reject(deps, detail, parsed.problems);
  const now = deps.now();
  const event = notAfterArrival(parsed.event, now);
  const journeys = await deps.registry.live();
  const { counted, awaited } = keptNames(journeys, now);
  const changes = profileChanges(event, customerIdOf(event), { awaited, counted });
  // The key may stand for another profile (merged ids): events land on the profile it joined.
  const owes = journeys.some((j) => maySkip(j, event, now)) || mayBeIgnored(event);
  const { userId, recorded } = await recordOnProfile(deps, event, changes, now, counted, owes);
  // Told now: a later failure retries the event, which then finds it recorded.
  deps.counted?.(recorded.duplicate ? 'duplicate' : 'ingested');
  const said = sayRefusedOptIns(recorded.refusedOptIns);
  // Reported once the write says the event is new; a redelivery reports only a report still pending.
  if (!recorded.duplicate || recorded.reportPending === true)
    await keepDroppedAfterWrite(deps, event, [...changes.droppedTraits, ...recorded.droppedTraits]);
  const settle = async () => {
    if (recorded.owed !== undefined) await deps.profiles.settleOwed(userId, event.messageId, recorded.owed);
  };
  const { state } = recorded;
  const status = recorded.duplicate ? 'duplicate' : 'recorded';
  const waiting = event.type === 'track' && waitsFor(state, event.event);
  // Profiles merged into this one keep their running enrollments under their own keys.
  const merged = state.mergedKeys ?? [];
  // Read by name: a step of an archived journey, or of an earlier version, waits on under its own key.
  const mergedWaiting = event.type === 'track' && merged.length > 0 && mayWait(journeys, event.event);
  const interested = journeys.some((j) => references(j, event));
  // The hot path: nothing references the event and nobody waits for it — one write, no read.
  if (!interested && !waiting && !mergedWaiting) {
    await settle();
    return { status, enrolled: [], resumed: [], finished: [], converted: [], skipped: [], ...said };
  }
  const finishing = journeys.some((j) => finishes(j, event));
  const owners = new Map<string, string>();
  const enrollments = finishing ? await enrollmentsOf(deps, [userId, ...merged], owners) : [];
  const waiterKeys = [...(waiting ? [userId] : []), ...(mergedWaiting ? merged : [])];
  const waiters = event.type === 'track' ? await waitersOf(deps, waiterKeys, event.event, owners) : [];
  if (waiting) await correctWaiting(deps, userId, state, event.event, waiters, owners);
  const ownerOf = (enrollmentId: string) => owners.get(enrollmentId) ?? userId;
  const plan = planIngest({ event, userId, state, journeys, now, enrollments, waiters });
  await settlePendingConversions(deps, ownerOf, enrollments, event.messageId);
  // Stops first: a step starting to wait meanwhile must see its enrollment stopping, not resume.
  const converted: string[] = [];
  for (const f of plan.finish)
    if (await finish(deps, ownerOf(f.enrollment.enrollmentId), f, event.messageId))
      converted.push(f.enrollment.enrollmentId);
  // Counted by the write that takes the event, or by a redelivery finding them still owed; before the starts.
  const once = (id: string) => countOnce(id, recorded);
  const duplicate = recorded.duplicate;
  const { enrolled, skipped } = await enter(deps, plan, { userId, event, merged, now, once, duplicate });
  const resumed: string[] = [];
  for (const r of plan.resume) {
    const owner = ownerOf(r.waiter.enrollmentId);
    if (await resume(deps, event, owner, r, once)) resumed.push(r.waiter.enrollmentId);
  }
  // What the event owed is done: the starts' too-large skips and the steps' ignored events counted.
  await settle();
  await removeTimedOut(deps, ownerOf, waiters, now);
  return {
    status,
    enrolled,
    resumed,
    finished: plan.finish.map((f) => f.enrollment.enrollmentId),
    converted,
    skipped,
    ...said,
  };
}

/**
 * Logs each opt-in the profile left out as older than the last opt-out
 * (consent-order.ts), with the channel, the topic and both times, so that
 * "I re-subscribed, why no email?" has an answer; the answer lists them.
 */
function sayRefusedOptIns(refused: readonly RefusedOptIn[] | undefined): { refusedOptIns?: RefusedOptIn[] } {
  if (refused === undefined || refused.length === 0) return {};
  for (const r of refused) logger.info('opt-in older than the opt-out: not applied', { ...r });
  return { refusedOptIns: [...refused] };
}

/**
 * Counts the planned skips, then starts the planned enrollments; answers with
 * those started and the entries skipped with their reason (one per journey at
 * most: a journey is planned to enroll or to skip, and a start skips once).
 * A delivery of an event already recorded reports only the skips it counted
 * (an earlier attempt stopped before it could): the others were reported by
 * the delivery that recorded it.
 */
async function enter(
  deps: IngestDeps,
  plan: IngestPlan,
  on: {
    userId: string;
    event: CustomerEvent;
    merged: readonly string[];
    now: Date;
    once: (id: string) => CountOnce | 'counted' | undefined;
    duplicate: boolean;
  },
): Promise<{ enrolled: string[]; skipped: EntrySkip[] }> {
  const { userId, event, merged, once } = on;
  const skipped: EntrySkip[] = [];
  const report = (journey: LiveJourney, reason: SkipReason, detail?: SkipDetail, counted?: CountResult) => {
    if (on.duplicate && counted !== 'applied') return;
    const { journeyId, version } = journey;
    skipped.push({ userId, journeyId, version, reason, ...(detail === undefined ? {} : { detail }) });
  };
  const skipId = (journeyId: string) => `${event.messageId}#skip#${journeyId}`;
  for (const s of plan.skip) {
    const counting = once(skipId(s.journey.journeyId));
    const counted =
      counting === 'counted' ? undefined : await recordSkip(deps, s.journey, s.reason, counting);
    report(s.journey, s.reason, s.detail, counted);
  }
  for (const u of plan.unmatched) report(u.journey, u.reason, u.detail);
  const at = on.now.toISOString();
  const enrolled: string[] = [];
  for (const planned of plan.enroll) {
    if (await enteredAsMerged(deps.enrollments, merged, planned, event.messageId)) {
      // Under `always` only the same trigger is found: a redelivery, not a skip.
      if (planned.journey.reentry.mode !== 'always') report(planned.journey, ...reentrySkip(planned.journey));
      continue;
    }
    // The person keeps the variants they drew under an id merged into this one.
    const bucketKey = await bucketKeyOf(deps.enrollments, planned, userId, merged);
    const p =
      bucketKey === userId ? planned : { ...planned, buckets: entryBuckets(planned.journey, bucketKey) };
    const onSkip = (reason: SkipReason, detail?: SkipDetail, counted?: CountResult) =>
      report(p.journey, reason, detail, counted);
    const entry = { userId, at, trigger: event, merged, tooLarge: once(skipId(p.journey.journeyId)), onSkip };
    if (await startEnrollment(deps, p, entry)) enrolled.push(p.enrollmentId);
  }
  return { enrolled, skipped };
}

/**
 * How a count the event owes (a skip, an ignored event) is written: under the
 * guard as `id`, with the time of the mark its write made (report-pending.ts);
 * `counted` for a redelivery that finds no mark (the first delivery counted
 * it). The first attempt's count is guarded too: a redelivery running beside
 * it counts once.
 */
function countOnce(id: string, recorded: RecordedEvent): CountOnce | 'counted' | undefined {
  const mark = recorded.owed;
  if (mark?.element === undefined) return recorded.duplicate ? 'counted' : undefined;
  return { id, pendingAt: mark.at, retry: recorded.duplicate };
}

/**
 * True when a waiting step may ignore the event as too large for it (resume):
 * its write then marks the count owed. Judged on the event alone, as resume judges it.
 */
function mayBeIgnored(event: CustomerEvent): boolean {
  return event.type === 'track' && !jsonWithin(event, MAX_AWAITED_EVENT_BYTES).fits;
}

/**
 * The summary that made this event look for waiters, brought back to the
 * waiters found under the profile's own key (profile-waiting.ts): a digest
 * with no waiter (its removal failed after deleting it) costs no lookup again.
 */
async function correctWaiting(
  deps: IngestDeps,
  userId: string,
  state: ProfileState,
  event: string,
  waiters: readonly Waiter[],
  owners: ReadonlyMap<string, string>,
) {
  const own = waiters.filter((w) => (owners.get(w.enrollmentId) ?? userId) === userId);
  const correction = correctionOf(state, event, own);
  if (correction !== undefined)
    await deps.profiles.correctWaiting(userId, event, correction, overflowOf(state, event));
}

/** How long the names kept for a listing of the journeys are reused: they change with it, or over months. */
const KEPT_NAMES_REUSE_MS = 60_000;
const keptNamesOf = new WeakMap<
  readonly ListedJourney[],
  { at: number; counted: ReadonlySet<string> | undefined; awaited: ReadonlySet<string> | undefined }
>();

/**
 * The event names the profile keeps daily counts of and snapshots of
 * (countedEvents, awaitedEvents), worked out once per listing of the journeys
 * (the registry cache's) and minute.
 */
function keptNames(journeys: readonly ListedJourney[], now: Date) {
  const kept = keptNamesOf.get(journeys);
  if (kept !== undefined && Math.abs(now.getTime() - kept.at) < KEPT_NAMES_REUSE_MS) return kept;
  const fresh = {
    at: now.getTime(),
    counted: countedEvents(journeys, now, MAX_COUNTED_EVENT_NAMES),
    awaited: awaitedEvents(journeys, now),
  };
  keptNamesOf.set(journeys, fresh);
  return fresh;
}

/** True when a running enrollment may wait for the event (awaitedByRunning). */
function mayWait(journeys: readonly LiveJourney[], event: string): boolean {
  const names = awaitedByRunning(journeys);
  return names === undefined || names.has(event);
}

/** Waiters whose step has timed out are removed when seen (their execution has moved on). */
async function removeTimedOut(
  deps: IngestDeps,
  ownerOf: (enrollmentId: string) => string,
  waiters: readonly Waiter[],
  now: Date,
) {
  for (const waiter of waiters)
    if (Date.parse(waiter.expiresAt) < now.getTime())
      await removeWaiter(deps, ownerOf(waiter.enrollmentId), waiter);
}

/** The enrollments under each key, noting the key each one is kept under. */
async function enrollmentsOf(deps: IngestDeps, keys: readonly string[], owners: Map<string, string>) {
  const out: ActiveEnrollment[] = [];
  for (const key of keys)
    for (const enrollment of await deps.enrollments.enrollments(key)) {
      owners.set(enrollment.enrollmentId, key);
      out.push(enrollment);
    }
  return out;
}

/** The steps under each key waiting for `event`, noting the key each one is kept under. */
async function waitersOf(
  deps: IngestDeps,
  keys: readonly string[],
  event: string,
  owners: Map<string, string>,
) {
  const out: Waiter[] = [];
  for (const key of keys)
    for (const waiter of await deps.enrollments.waitersFor(key, event)) {
      owners.set(waiter.enrollmentId, key);
      out.push(waiter);
    }
  return out;
}
