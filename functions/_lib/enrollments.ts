import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { notAfterArrival } from '#shared/events.ts';
import type { SkipDetail, SkipReason } from '#shared/ingest/entry-skip.ts';
import type { LiveJourney } from '#shared/ingest/live-journey.ts';
import { variantOf } from '#shared/ingest/live-journey.ts';
import type { Enrollment } from '#shared/ingest/plan.ts';
import { enrollmentName } from '#shared/journey/enrollment.ts';
import type { EntrySkipReason } from '#shared/journey/entry/entries.ts';
import { jsonWithin, MAX_ENTRY_INPUT_BYTES } from '#shared/journey/state-budget.ts';
import { type ActiveEnrollment, endingTriggerValues, type Waiter } from '#shared/profile/state.ts';
import type { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { addDuration } from '#shared/time.ts';
import { countId, type EnrollmentItems, type OwedCount, type ReentryPolicy } from './enrollment-items.ts';
import type { EntryLimitRecords } from './entry-limits.ts';
import type { ExperimentJudge } from './experiments.ts';
import type { RefusalCount } from './limit-refusals.ts';
import { waiterDigest } from './profile-waiting.ts';
import { executionArnOf, isAlreadyDone } from './sfn-errors.ts';
import type { CountOnce, CountResult, StatsRepository } from './stats.ts';
import { withPinnedVariants } from './variant-pins.ts';

/**
 * Starting an enrollment, shared by every way in (customer events, segment
 * runs): the re-entry record and the enrollment item, then StartExecution on
 * the version the entry was judged by under the deterministic name, then the
 * funnel counters.
 *
 * The version is the registry entry's (`versionArn`), not the alias `live`:
 * ingest reads the registry through a cache, and for a while after a deploy
 * (or after the alias is moved by hand) the alias runs another version than
 * the one whose trigger, splits and goal decided the entry. Started on its
 * own version, an enrollment runs the definition its variants were drawn
 * for, and every count names the version that ran (its input's
 * `journeyVersion`, its item's `version`).
 */

/** Only what starting needs, so that a load model can stand in for the tables. */
export type EnrollmentDeps = {
  enrollments: Pick<
    EnrollmentItems,
    'claimEntry' | 'putEnrollment' | 'markCounted' | 'settleCount' | 'forget'
  > & {
    limits: Pick<EntryLimitRecords, 'claim' | 'release' | 'refuseMerged' | 'settleRefusal'>;
  };
  sfn: SFNClient;
  stats: Pick<StatsRepository, 'recordEnrollment' | 'increment'>;
  /** Ends the journey's experiments when due (without it, experiments never end). */
  experiments?: Pick<ExperimentJudge, 'checkDue'>;
};

export type Entry = {
  userId: string;
  /** The enrollment time written on the re-entry record and in the execution input. */
  at: string;
  trigger: EnrollmentInput['trigger'];
  /**
   * How a trigger too large for the execution input is counted as skipped:
   * under the count guard (the event's mark, report-pending.ts), not here
   * (`counted`: an earlier delivery did, or the caller counts it, as a segment
   * run's enroll item does under its mark), or plainly when absent. A refusal
   * of the entry limit is counted once by its own mark (limit-refusals.ts),
   * a started entry by its enrollment's.
   */
  tooLarge?: CountOnce | 'counted';
  /** Keys of profiles merged into the customer's: their entries count against `trigger.limit` too. */
  merged?: readonly string[];
  /**
   * Told why the entry was skipped, when it was (a redelivery that finds its own entry is not a
   * skip), with what its count's write answered when this call counted it (`applied`: the skip
   * was counted now, so not reported by an earlier delivery).
   */
  onSkip?: (reason: SkipReason, detail?: SkipDetail, counted?: CountResult) => void;
};

/** Starts one planned enrollment; false when the re-entry rule refused it or it had already started. */
export async function startEnrollment(
  deps: EnrollmentDeps,
  drawn: Enrollment,
  entry: Entry,
): Promise<boolean> {
  const plan = withPinnedVariants(drawn, entry.userId);
  const { journey, enrollmentId } = plan;
  const { userId } = entry;
  // Judged before anything is claimed: a trigger this large never enrolls, so it takes no place.
  const judged = jsonWithin(executionInput(plan, entry, entry.at), MAX_ENTRY_INPUT_BYTES);
  if (!judged.fits) {
    const counted =
      entry.tooLarge === 'counted' ? undefined : await recordSkip(deps, journey, 'tooLarge', entry.tooLarge);
    entry.onSkip?.('tooLarge', { maxBytes: MAX_ENTRY_INPUT_BYTES }, counted);
    return false;
  }
  const executionArn = executionArnOf(journey.stateMachineArn, enrollmentId);
  const reentry = journey.reentry;
  const policy: ReentryPolicy =
    plan.notBefore !== undefined && reentry.mode === 'after'
      ? {
          mode: 'after',
          notBefore: plan.notBefore,
          until: addDuration(new Date(entry.at), reentry.cooldown).toISOString(),
        }
      : reentry.mode === 'always'
        ? { mode: 'always' }
        : { mode: 'once', correlated: plan.correlation !== undefined };
  // The entry limit first, then the re-entry record: a place taken for an
  // entry that re-entry then refuses is given back; a redelivery finds its own place.
  const limit = journey.trigger.limit;
  if (limit !== undefined) {
    const counted = await deps.enrollments.limits.claim(
      userId,
      journey.journeyId,
      { id: enrollmentId, at: entry.at },
      { ...limit, zone: journey.settings.defaultTimezone },
      entry.merged,
    );
    if (counted !== 'entered') {
      const refusal = await countRefusal(deps, journey, userId, enrollmentId, counted.refused);
      entry.onSkip?.('limit', { max: limit.max, per: limit.per }, refusal);
      return false;
    }
  }
  // The re-entry record comes first: if StartExecution then fails, the retry
  // finds the same enrollment id ("again") and starts it; the name makes the start idempotent.
  const claim = await deps.enrollments.claimEntry(
    userId,
    plan.reentryKey,
    { at: entry.at, enrollmentId },
    policy,
  );
  if (claim.status === 'refused') {
    if (limit !== undefined) await deps.enrollments.limits.release(userId, journey.journeyId, enrollmentId);
    entry.onSkip?.(...reentrySkip(journey));
    return false;
  }
  const at = claim.status === 'again' ? claim.at : entry.at;
  const within = journey.goal?.within;
  const variants = variantsOf(journey, plan);
  const trigger = endingTriggerValues(journey, entry.trigger);
  const written = await deps.enrollments.putEnrollment(userId, {
    enrollmentId,
    journeyId: journey.journeyId,
    version: journey.version,
    executionArn,
    enrolledAt: at,
    enteredAt: eventTime(asFirstEntered(entry, at).trigger.timestamp, at),
    correlation: plan.correlation,
    ...(within === undefined ? {} : { goalUntil: addDuration(new Date(at), within).toISOString() }),
    ...(variants.length === 0 ? {} : { variants }),
    ...(trigger === undefined ? {} : { trigger }),
    ...(journey.start === undefined ? {} : { start: journey.start }),
  });
  try {
    await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: journey.versionArn,
        name: enrollmentId,
        // The input judged above, unless a retry found an earlier entry time: then the input the
        // first start sent, which Step Functions needs to answer a repeat as the first (a
        // different input is refused as ExecutionAlreadyExists, even while the execution runs).
        input:
          at === entry.at ? judged.json : JSON.stringify(executionInput(plan, asFirstEntered(entry, at), at)),
      }),
    );
  } catch (error) {
    if (!isAlreadyDone(error)) throw error;
    // The execution has ended (a running one answers a repeated start as the first): its item was
    // removed at the end, and the put above, by a redelivered trigger, only brought back an orphan.
    if (written) await deps.enrollments.forget(userId, enrollmentId);
    return false;
  }
  // A retried start (throttled, redelivered) may repeat one that went through: the mark counts it once.
  // Pending on the mark until written: a retry after a crash between the two writes counts it, once.
  const owed = await deps.enrollments.markCounted(userId, enrollmentId);
  if (owed !== undefined) {
    await deps.stats.recordEnrollment(
      {
        journeyId: journey.journeyId,
        version: journey.version,
        variants,
        ...(journey.start === undefined ? {} : { start: journey.start }),
      },
      { id: countId(enrollmentId, 'enrolled'), ...owed },
    );
    await deps.enrollments.settleCount(userId, enrollmentId, 'enrolled');
    // After the entrant is counted: the next entrants read the decision.
    await deps.experiments?.checkDue(journey);
  }
  return true;
}

/** Why the re-entry rule kept a customer out: entered once already, or within the cooldown. */
export function reentrySkip(journey: Pick<LiveJourney, 'reentry'>): [SkipReason, SkipDetail?] {
  const { reentry } = journey;
  return reentry.mode === 'after' ? ['cooldown', { cooldown: reentry.cooldown }] : ['reentry'];
}

/**
 * True when a profile merged into the customer's entered the journey in a way
 * its re-entry rule still holds against (`once`; `after`, within the
 * cooldown): a visitor who entered for a cart and signed in is the same
 * customer, and the same cart does not enter them twice. Under `always`,
 * true when the same trigger (`triggerId`: the event's id, a segment run's)
 * entered under a merged id: a redelivery after the merge is named after the
 * joined id, so Step Functions could not refuse it as the same execution.
 * Judged by the enrollment's re-entry record (the last entry, kept a day, as
 * long as EventBridge redelivers) or its item (while it runs): a read or two
 * per merged id, for a customer with merged ids only.
 */
export async function enteredAsMerged(
  enrollments: Pick<EnrollmentItems, 'reentryRecord' | 'enrollment'>,
  keys: readonly string[],
  plan: Enrollment,
  triggerId: string,
): Promise<boolean> {
  const { mode } = plan.journey.reentry;
  for (const key of keys) {
    const record = await enrollments.reentryRecord(key, plan.reentryKey);
    if (mode === 'always') {
      const there = enrollmentName({
        journeyId: plan.journey.journeyId,
        customerId: key,
        triggerId,
        correlation: plan.correlation,
      });
      if (record?.enrollmentId === there) return true;
      if ((await enrollments.enrollment(key, there)) !== undefined) return true;
      continue;
    }
    if (record === undefined) continue;
    if (mode === 'once' || (plan.notBefore !== undefined && record.at > plan.notBefore)) return true;
  }
  return false;
}

/**
 * The id whose split buckets an entry of a customer with merged ids draws (the
 * buckets are a hash of journey, step and id): the customer's own when they
 * entered the journey under it before (another entry than this one: a
 * redelivery finds its own record), else the merged id under which they entered
 * it first, as far as re-entry records still tell; else their own. So a visitor
 * drawn into a holdout who signs in and enters again stays in the holdout.
 * One query per key, only for a journey with a split and a customer with merged ids.
 */
export async function bucketKeyOf(
  enrollments: Pick<EnrollmentItems, 'entryRecords'>,
  plan: Pick<Enrollment, 'journey' | 'enrollmentId'>,
  userId: string,
  merged: readonly string[],
): Promise<string> {
  const { journeyId } = plan.journey;
  if (merged.length === 0 || Object.keys(plan.journey.splits).length === 0) return userId;
  const others = async (key: string) =>
    (await enrollments.entryRecords(key, journeyId)).filter((r) => r.enrollmentId !== plan.enrollmentId);
  if ((await others(userId)).length > 0) return userId;
  let first: { key: string; at: string } | undefined;
  for (const key of merged) {
    for (const record of await others(key))
      if (first === undefined || record.at < first.at) first = { key, at: record.at };
  }
  return first?.key ?? userId;
}

/**
 * True when the customer's entries into the journey, with those made under
 * ids merged into it, fill its `trigger.limit` at `at` (a segment run's
 * time): the entry is skipped and counted as such (`limit`), once however
 * often the run's page is scanned (the refusal is kept: limit-refusals.ts).
 */
export async function limitedAsMerged(
  deps: Pick<EnrollmentDeps, 'enrollments' | 'stats'>,
  journey: Pick<LiveJourney, 'journeyId' | 'version' | 'trigger' | 'settings'>,
  userId: string,
  keys: readonly string[],
  at: string,
): Promise<boolean> {
  const limit = journey.trigger.limit;
  if (limit === undefined || keys.length === 0) return false;
  const window = { ...limit, zone: journey.settings.defaultTimezone };
  const entry = { id: `${journey.journeyId}#${userId}#${at}`, at };
  const refused = await deps.enrollments.limits.refuseMerged(userId, journey.journeyId, entry, window, keys);
  if (refused === false) return false;
  await countRefusal(deps, journey, userId, entry.id, refused);
  return true;
}

/** Counts an entry limit's refusal once (limit-refusals.ts), then marks it counted: what the count's write answered, if made. */
async function countRefusal(
  deps: Pick<EnrollmentDeps, 'enrollments' | 'stats'>,
  journey: Pick<LiveJourney, 'journeyId' | 'version'>,
  userId: string,
  entryId: string,
  refused: RefusalCount,
): Promise<CountResult | undefined> {
  if (refused === 'counted') return undefined;
  const counted = await recordSkip(deps, journey, 'limit', { id: `${entryId}#limit`, ...refused });
  await deps.enrollments.limits.settleRefusal(userId, journey.journeyId, entryId);
  return counted;
}

/** An event's timestamp as an ISO instant (the entry time when it cannot be read). */
function eventTime(timestamp: string, fallback: string): string {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
}

/**
 * The entry as the first delivery of its trigger made it at `at`: a trigger
 * stamped ahead of its arrival was taken as happening then (`notAfterArrival`),
 * and a redelivery, arriving later, would otherwise stamp it with its own arrival.
 */
function asFirstEntered(entry: Entry, at: string): Entry {
  return { ...entry, trigger: notAfterArrival(entry.trigger, new Date(at)) };
}

/** The execution input of an enrollment (the same size whichever entry time: both are ISO instants). */
function executionInput(plan: Enrollment, entry: Entry, enrolledAt: string): EnrollmentInput {
  return {
    v: CONTRACT_VERSION,
    journeyId: plan.journey.journeyId,
    journeyVersion: plan.journey.version,
    enrollmentId: plan.enrollmentId,
    userId: entry.userId,
    enrolledAt,
    trigger: entry.trigger,
    buckets: plan.buckets,
    correlation: plan.correlation,
  };
}

/** Counts an entry the trigger's limits kept out, with its reason (a bounded code). */
export async function recordSkip(
  deps: Pick<EnrollmentDeps, 'stats'>,
  journey: Pick<LiveJourney, 'journeyId' | 'version'>,
  reason: EntrySkipReason,
  /** Counted once under the count guard (an event's skip marked owed on its profile). */
  once?: CountOnce,
): Promise<CountResult> {
  return deps.stats.increment(
    { journeyId: journey.journeyId, version: journey.version, metric: 'entrySkipped', reason },
    1,
    undefined,
    once,
  );
}

/**
 * The variant each split step assigns this enrollment (from its buckets, drawn at entry), with the
 * experiment running there (its first version): the experiment's totals count the entrant.
 */
function variantsOf(
  journey: LiveJourney,
  plan: Enrollment,
): { stepId: string; variant: string; experiment?: string }[] {
  return Object.entries(plan.buckets).flatMap(([stepId, bucket]) => {
    const variant = variantOf(journey.splits[stepId] ?? [], bucket);
    if (variant === undefined) return [];
    const running = journey.experiments?.find((e) => e.stepId === stepId && e.decision === undefined);
    return [{ stepId, variant, ...(running === undefined ? {} : { experiment: running.fromVersion }) }];
  });
}

/**
 * Writes the conversion count an enrollment's mark owes: for the journey,
 * each variant and the last message step, on the day and with the value the
 * mark holds. A retry (`owed.retry`) writes only what had not landed.
 */
export async function recordOwedConversion(
  stats: Pick<StatsRepository, 'recordConversion'>,
  enrollment: ActiveEnrollment,
  owed: OwedCount,
): Promise<void> {
  const { journeyId, version, variants = [], lastStep, enrollmentId } = enrollment;
  await stats.recordConversion(
    {
      journeyId,
      version,
      at: new Date(enrollment.convertedAt ?? owed.pendingAt),
      value: enrollment.convertedValue,
      variants,
      lastStep,
    },
    { id: countId(enrollmentId, 'converted'), ...owed },
  );
}

/**
 * Counts the event a waiting step received, as marked on its waiter
 * (`EnrollmentItems.markReceived`): guarded by one id per registration of
 * the step, so a retry counts it once.
 */
export async function recordReceived(
  stats: Pick<StatsRepository, 'recordReceived'>,
  waiter: Waiter,
  owed: OwedCount,
): Promise<void> {
  const { journeyId, version = '-', stepId, enrollmentId } = waiter;
  await stats.recordReceived(
    { journeyId, version, stepId },
    { id: `${enrollmentId}#${stepId}#${waiterDigest(waiter)}#received`, ...owed },
  );
}

/** The received event an earlier attempt marked on a waiter and may not have counted: counted before the waiter goes. */
export async function recordPendingReceipt(
  stats: Pick<StatsRepository, 'recordReceived'>,
  waiter: Waiter,
): Promise<void> {
  const pendingAt = waiter.receivedPending;
  if (pendingAt !== undefined) await recordReceived(stats, waiter, { pendingAt, retry: true });
}
