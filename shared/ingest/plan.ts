import { evaluateCondition } from '../conditions/evaluate.ts';
import { isRecord, readPath } from '../conditions/path.ts';
import { dictionaryOf } from '../dictionary.ts';
import { type CustomerEvent, MAX_ID_BYTES } from '../events.ts';
import { entryValueProblem } from '../journey/context-names.ts';
import { enrollmentName, splitBucket } from '../journey/enrollment.ts';
import type { EntrySkipReason } from '../journey/entry/entries.ts';
import { jsonWithin, MAX_ENTRY_INPUT_BYTES } from '../journey/state-budget.ts';
import {
  type ActiveEnrollment,
  type ProfileState,
  type ReentryRecord,
  reentryKey,
  type Waiter,
  waiterKey,
} from '../profile/state.ts';
import { CONTRACT_VERSION } from '../tasks/version.ts';
import { addDuration, entryWindowStart, rollingWindowStart } from '../time.ts';
import { reportedPaths, type SkipDetail } from './entry-skip.ts';
import { bucketAfterExperiment } from './experiments.ts';
import type { EarlierEndings, LiveJourney } from './live-journey.ts';

/**
 * What an event does beyond the profile: new enrollments, waiting steps to
 * resume, enrollments to stop. Pure: the ingest function carries it out with
 * conditional writes, so a redelivered event plans the same and does nothing twice.
 */

export type Enrollment = {
  journey: LiveJourney;
  enrollmentId: string;
  reentryKey: string;
  correlation?: string;
  buckets: Record<string, number>;
  /** `after` cooldown: a previous entry must be older than this. */
  notBefore?: string;
};

export type Resume = { waiter: Waiter; key: string };
export type Finish = {
  enrollment: ActiveEnrollment;
  outcome: 'converted' | 'exited';
  stop: boolean;
  /**
   * False for an enrollment a goal ends without counting it: one goal event
   * converts one enrollment of a journey (see planFinish), and ends the
   * customer's other open ones when the goal exits.
   */
  credit?: boolean;
  /** The goal event's money value (`goal.value`), when it names one and the event carries a number. */
  value?: number;
};

/** A trigger that would have enrolled but for what the event alone tells (`trigger.maxAge`, a missing value): counted. */
type Skip = { journey: LiveJourney; reason: EntrySkipReason; detail?: SkipDetail };
/**
 * A trigger the journey's own conditions kept out, or that came while the
 * journey takes no entries (its status, its schedule window): reported, not counted.
 */
type Unmatched = { journey: LiveJourney; reason: UnmatchedReason; detail?: SkipDetail };
type UnmatchedReason = 'where' | 'audience' | ClosedReason;
/** Why a journey whose trigger names the event takes no entries now. */
type ClosedReason = 'paused' | 'archived' | 'draft' | 'notStarted' | 'ended';
type Goal = NonNullable<LiveJourney['goal']>;

export type IngestPlan = {
  enroll: Enrollment[];
  resume: Resume[];
  finish: Finish[];
  skip: Skip[];
  unmatched: Unmatched[];
};

type Input = {
  event: CustomerEvent;
  userId: string;
  state: ProfileState;
  journeys: readonly LiveJourney[];
  now: Date;
  /** The customer's enrollments (running, or ended with a goal window open); read only when a goal or exit matches. */
  enrollments?: readonly ActiveEnrollment[];
  /** The steps waiting for this event; read only when the profile's summary says some wait. */
  waiters?: readonly Waiter[];
};

function correlationOf(journey: LiveJourney, event: CustomerEvent): string | undefined {
  const key = journey.trigger.type === 'event' ? journey.trigger.correlationKey : undefined;
  return valueAt(key, event);
}

function valueAt(key: string | undefined, event: CustomerEvent): string | undefined {
  if (key === undefined) return undefined;
  const value = readPath({ event }, key);
  return value === undefined || value === null ? undefined : correlationText(value);
}

/**
 * A correlation value as text: a number and its string are the same value
 * (apps send `42` in one event and `"42"` in the next); an object or a list
 * is its JSON, so two different carts given as objects are two values, not
 * both "[object Object]" — with each object's keys in one order, so the same
 * cart is one value whatever order an app wrote its keys in, or DynamoDB
 * (which keeps a map's keys in no order) read a waiting step's back.
 */
function correlationText(value: unknown): string {
  return typeof value === 'object' && value !== null
    ? (JSON.stringify(value, keysInOrder) ?? '')
    : String(value);
}

/** A JSON.stringify replacer writing each object's keys in code point order. */
function keysInOrder(_key: string, value: unknown): unknown {
  if (!isRecord(value)) return value;
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) sorted[key] = value[key];
  return sorted;
}

/** True when the journey takes entries now and its trigger names the event. */
function named(journey: LiveJourney, event: CustomerEvent, now: Date): boolean {
  return namesEvent(journey, event) && closedReason(journey, now) === undefined;
}

/** True when the journey's trigger names the event (whatever its status). */
function namesEvent(journey: LiveJourney, event: CustomerEvent): boolean {
  const { trigger } = journey;
  return (
    (trigger.type === 'event' && event.type === 'track' && event.event === trigger.event) ||
    (trigger.type === 'identify' && event.type === 'identify')
  );
}

/** Why the journey takes no entries at `now` (its status, its schedule window), with what it was judged on; undefined when it does. */
function closedReason(
  journey: LiveJourney,
  now: Date,
): { reason: ClosedReason; detail?: SkipDetail } | undefined {
  const { status, settings } = journey;
  if (status !== 'active') return { reason: status };
  if (settings.startAt !== undefined && now < new Date(settings.startAt))
    return { reason: 'notStarted', detail: { startAt: settings.startAt } };
  if (settings.endAt !== undefined && now > new Date(settings.endAt))
    return { reason: 'ended', detail: { endAt: settings.endAt } };
  return undefined;
}

/**
 * True when the journey may skip the event (planIngest's `skip`): judged
 * before the profile is written, from the event alone, so the write can mark
 * the skip's count as owed. Only the conditions on the profile (`where`,
 * `audience`), which keep the event out without a skip, are not judged.
 */
export function maySkip(journey: LiveJourney, event: CustomerEvent, now: Date): boolean {
  if (!named(journey, event, now)) return false;
  const missing = journey.requires.some((path) => readPath({ trigger: event }, path) == null);
  return (
    missing ||
    tooOld(journey, { event, now }) ||
    !contextFits(journey, event) ||
    mayOverflowInput(journey, event)
  );
}

/**
 * Room in an execution input for what only the write tells: the customer's
 * id (another profile's when the key was merged; at most MAX_ID_BYTES, each
 * byte escaped in JSON at most as \u00XX) and a timestamp the entry may
 * restate (a trigger stamped ahead of its arrival).
 */
const INPUT_ROOM_BYTES = 6 * MAX_ID_BYTES + 64;

/**
 * True when the event may make the journey's execution input too large (the
 * entry then skipped `tooLarge`, judged by startEnrollment): the input as it
 * would be, with room for what is known only after the write. Never false
 * for an event that will be skipped so.
 */
function mayOverflowInput(journey: LiveJourney, event: CustomerEvent): boolean {
  const correlation = correlationOf(journey, event);
  const bound = {
    v: CONTRACT_VERSION,
    journeyId: journey.journeyId,
    journeyVersion: journey.version,
    enrollmentId: enrollmentName({
      journeyId: journey.journeyId,
      customerId: '',
      triggerId: '',
      correlation,
    }),
    userId: '',
    enrolledAt: new Date(0).toISOString(),
    trigger: event,
    // Buckets are below 100: two digits each.
    buckets: dictionaryOf(Object.keys(journey.splits).map((stepId) => [stepId, 99])),
    correlation,
  };
  return !jsonWithin(bound, MAX_ENTRY_INPUT_BYTES - INPUT_ROOM_BYTES).fits;
}

function triggers(journey: LiveJourney, input: Input): 'yes' | 'no' | 'missing' | 'where' | 'audience' {
  const { event, state, now } = input;
  const { trigger, settings } = journey;
  // A segment's trigger names no event.
  if (!named(journey, event, now) || trigger.type === 'segment') return 'no';
  const ctx = {
    profile: state.profile,
    event,
    trigger: event,
    now,
    defaultTimezone: settings.defaultTimezone,
  };
  if (trigger.where !== undefined && !evaluateCondition(trigger.where, ctx)) return 'where';
  if (journey.audience !== undefined && !evaluateCondition(journey.audience, ctx)) return 'audience';
  // A value the compiled journey reads from the trigger must be there, or the execution would fail: counted, not started.
  return missingPaths(journey, event).length > 0 ? 'missing' : 'yes';
}

/** The values the compiled journey reads from the trigger that the event lacks. */
function missingPaths(journey: LiveJourney, event: CustomerEvent): string[] {
  return journey.requires.filter((path) => readPath({ trigger: event }, path) == null);
}

function planEnrollment(
  journey: LiveJourney,
  input: Input,
): Enrollment | Exclude<ReturnType<typeof triggers>, 'yes'> | undefined {
  const entering = triggers(journey, input);
  if (entering !== 'yes') return entering;
  return planEntry(journey, {
    userId: input.userId,
    triggerId: input.event.messageId,
    correlation: correlationOf(journey, input.event),
    now: input.now,
    // The conditional write of the re-entry record judges re-entry.
    reentry: {},
  });
}

/**
 * The enrollment of a customer in a journey for one trigger (an event, a
 * segment run): deterministic name, re-entry key, split buckets, cooldown
 * bound — or `undefined` when the re-entry rule keeps them out, judged on the
 * re-entry records given (pass none to leave the judgement to the conditional
 * write alone).
 */
export function planEntry(
  journey: LiveJourney,
  entry: {
    userId: string;
    triggerId: string;
    correlation?: string;
    now: Date;
    reentry: Readonly<Record<string, ReentryRecord>>;
  },
): Enrollment | undefined {
  const { userId, correlation } = entry;
  const key = reentryKey(journey.journeyId, correlation);
  const enrollmentId = enrollmentName({
    journeyId: journey.journeyId,
    customerId: userId,
    triggerId: entry.triggerId,
    correlation,
  });
  const previous = Object.hasOwn(entry.reentry, key) ? entry.reentry[key] : undefined;
  const { reentry } = journey;
  let notBefore: string | undefined;
  if (reentry.mode === 'after')
    notBefore = entryWindowStart(entry.now, reentry.cooldown, journey.settings.defaultTimezone).toISOString();
  if (previous !== undefined && previous.enrollmentId !== enrollmentId) {
    if (reentry.mode === 'once') return undefined;
    // The cooldown ends at its last instant: a daily run exactly a day later enters again.
    if (notBefore !== undefined && previous.at > notBefore) return undefined;
  }
  const buckets = entryBuckets(journey, userId);
  return { journey, enrollmentId, reentryKey: key, correlation, buckets, notBefore };
}

/**
 * The buckets an entry draws at each split of the journey, from the id the
 * customer's buckets follow: their own, or one merged into them under which
 * they entered the journey before (functions/_lib/enrollments.ts, bucketKeyOf).
 */
export function entryBuckets(journey: LiveJourney, bucketKey: string): Record<string, number> {
  return Object.fromEntries(
    Object.keys(journey.splits).map((stepId) => [stepId, entryBucket(journey, stepId, bucketKey)]),
  );
}

/** A customer's bucket at a split: their own, or the winner's once the split's experiment has ended. */
function entryBucket(journey: LiveJourney, stepId: string, userId: string): number {
  const bucket = splitBucket(journey.journeyId, stepId, userId);
  const winner = journey.experiments?.find((e) => e.stepId === stepId)?.decision?.winner;
  if (winner === undefined || !Object.hasOwn(journey.splits, stepId)) return bucket;
  return bucketAfterExperiment(journey.splits[stepId] ?? [], winner, bucket);
}

function sameCorrelation(journey: LiveJourney, enrollment: ActiveEnrollment, event: CustomerEvent): boolean {
  if (enrollment.correlation === undefined) return true;
  // Read at the key of the version the enrollment runs on: an edit may have moved it.
  const earlier = enrollment.version === journey.version ? undefined : earlierOf(journey, enrollment.version);
  const value =
    earlier === undefined ? correlationOf(journey, event) : valueAt(earlier.correlationKey, event);
  // An event without the key (e.g. "Unsubscribed") applies to every parallel enrollment.
  return value === undefined || value === enrollment.correlation;
}

function planFinish(journey: LiveJourney, input: Input): Finish[] {
  const { event, state, now } = input;
  if (event.type !== 'track' || !finishes(journey, event)) return [];
  // `trigger.*` in a goal or exit condition is the enrollment's own trigger (the values its entry
  // kept), not the event judged now; an enrollment that kept none reads no trigger values.
  const matcher = (trigger: unknown) => {
    const ctx = {
      profile: state.profile,
      event,
      trigger,
      now,
      defaultTimezone: journey.settings.defaultTimezone,
    };
    return (m: { event: string; where?: Parameters<typeof evaluateCondition>[0] }) =>
      m.event === event.event && (m.where === undefined || evaluateCondition(m.where, ctx));
  };
  // Each enrollment finishes on the goal and exit events of the version it runs on.
  const judged = new Map<string, { exits: boolean; goal: Goal | undefined }>();
  const judge = (e: ActiveEnrollment) => {
    const endings = endingsOf(journey, e.version);
    // One verdict per version, or per enrollment when its conditions read its trigger.
    const key = e.trigger === undefined ? endings.version : `${endings.version}\u0000${e.enrollmentId}`;
    let verdict = judged.get(key);
    if (verdict === undefined) {
      const matches = matcher(e.trigger);
      const goal = endings.goal !== undefined && matches(endings.goal) ? endings.goal : undefined;
      verdict = { exits: (endings.exitOn ?? []).some(matches), goal };
      judged.set(key, verdict);
    }
    return verdict;
  };
  const candidates = (input.enrollments ?? []).filter(
    // An enrollment started by this very event is not finished by it.
    (e) => e.journeyId === journey.journeyId && sameCorrelation(journey, e, event) && !isOwn(e, input),
  );
  // A goal counts only if it happened at or after the entry, and arrives inside the `within` window the enrollment was given on entry (`goalUntil`, from
  // the version it started on: a deploy since that narrows or drops the window does not cut it short);
  // without a window, only while the execution runs.
  const happened = Date.parse(event.timestamp);
  // A goal or an exit is an event that happens after entry: one stamped before it (a replay of old
  // orders, a late batch import, a cart emptied before this one was filled) neither converts the
  // enrollment nor ends it.
  const beforeEntry = (e: ActiveEnrollment) =>
    e.enteredAt !== undefined && happened < Date.parse(e.enteredAt);
  const inWindow = (e: ActiveEnrollment) => {
    const { goal } = judge(e);
    if (goal === undefined || beforeEntry(e)) return false;
    const until =
      e.goalUntil ??
      (goal.within === undefined
        ? undefined
        : addDuration(new Date(e.enrolledAt), goal.within).toISOString());
    if (until === undefined) return e.endedAt === undefined;
    return now.getTime() <= Date.parse(until);
  };
  const credited = creditedEnrollment(candidates, inWindow, event);
  const out: Finish[] = [];
  for (const enrollment of candidates) {
    const { exits, goal } = judge(enrollment);
    const ended = enrollment.endedAt !== undefined;
    if (goal !== undefined && enrollment === credited)
      out.push({
        enrollment,
        outcome: 'converted',
        stop: goal.exit && !ended,
        value: goalValue(goal, event),
      });
    else if (goal?.exit === true && !ended && inWindow(enrollment))
      out.push({ enrollment, outcome: 'converted', stop: true, credit: false });
    else if (exits && !ended && !beforeEntry(enrollment))
      out.push({ enrollment, outcome: 'exited', stop: true });
  }
  return out;
}

/** The goal and exit events of a version: the live one's, an earlier one's the entry kept, else the live one's. */
function endingsOf(journey: LiveJourney, version: string): EarlierEndings {
  return (version === journey.version ? undefined : earlierOf(journey, version)) ?? journey;
}

function earlierOf(journey: LiveJourney, version: string): EarlierEndings | undefined {
  return journey.earlier?.find((e) => e.version === version || e.also?.includes(version) === true);
}

/** The endings of every version the entry knows: the live one's and the earlier ones it kept. */
function allEndings(journey: LiveJourney): readonly EarlierEndings[] {
  return journey.earlier === undefined ? [journey] : [journey, ...journey.earlier];
}

/**
 * The one enrollment a goal event converts: a customer who re-entered (no
 * correlation key tells their enrollments apart) and then orders once is one
 * conversion, not one per open enrollment, credited to the latest one. None
 * when this event converted one already (a redelivery), so it never counts
 * twice; a later goal event converts the next one still open.
 */
function creditedEnrollment(
  candidates: ActiveEnrollment[],
  inWindow: (e: ActiveEnrollment) => boolean,
  event: CustomerEvent,
): ActiveEnrollment | undefined {
  if (candidates.some((e) => e.convertedBy !== undefined && e.convertedBy === event.messageId))
    return undefined;
  let latest: ActiveEnrollment | undefined;
  for (const e of candidates) {
    if (e.converted === true || !inWindow(e)) continue;
    const later =
      latest === undefined ||
      e.enrolledAt > latest.enrolledAt ||
      (e.enrolledAt === latest.enrolledAt && e.enrollmentId > latest.enrollmentId);
    if (later) latest = e;
  }
  return latest;
}

/**
 * The smallest magnitude a DynamoDB number holds (1E-130); the largest value
 * a counter's sum takes is Number.MAX_SAFE_INTEGER: DynamoDB adds exactly, in
 * at most 38 digits, and a larger value (1e50 on a sum of 7) could need more,
 * failing the write.
 */
const SMALLEST_STORED = 1e-130;

/**
 * The goal event's money value, when the goal names one and the event
 * carries a number the stats can add: a value past what they hold (an order
 * total of 1e16, 5e-324) would fail the write after the conversion is marked,
 * and the conversion would never be counted; it converts without revenue.
 */
function goalValue(goal: { value?: string }, event: CustomerEvent): number | undefined {
  if (goal.value === undefined) return undefined;
  const value = readPath({ event }, goal.value);
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) return undefined;
  const magnitude = Math.abs(number);
  return number === 0 || (magnitude >= SMALLEST_STORED && magnitude <= Number.MAX_SAFE_INTEGER)
    ? number
    : undefined;
}

function isOwn(enrollment: ActiveEnrollment, input: Input): boolean {
  return (
    enrollment.enrollmentId ===
    enrollmentName({
      journeyId: enrollment.journeyId,
      customerId: input.userId,
      triggerId: input.event.messageId,
      correlation: enrollment.correlation,
    })
  );
}

/** True when an event satisfies a waiting step: name, filter, correlation, and not before the step began. */
export function waiterMatches(waiter: Waiter, event: CustomerEvent, state: ProfileState, now: Date): boolean {
  if (event.type !== 'track' || event.event !== waiter.event) return false;
  if (Date.parse(event.timestamp) < Date.parse(waiter.startedAt)) return false;
  // The steps after the wait copy these with Step Functions paths: without one, the execution would fail.
  if (waiter.requires?.some((path) => readPath({ event }, path) === undefined)) return false;
  if (!waiter.match.every((m) => valuesEqual(readPath({ event }, m.path), m.value))) return false;
  const ctx = {
    profile: state.profile,
    event,
    trigger: waiter.trigger,
    now,
    defaultTimezone: waiter.defaultTimezone,
  };
  return waiter.where === undefined || evaluateCondition(waiter.where, ctx);
}

/** True when two correlation values are one: no value (null, missing) correlates with anything, itself included. */
function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return false;
  return a === b || correlationText(a) === correlationText(b);
}

/** True when the event is the goal or an exit event of a version of the journey (then its enrollments are read). */
export function finishes(journey: LiveJourney, event: CustomerEvent): boolean {
  if (event.type !== 'track') return false;
  return allEndings(journey).some(
    (v) => v.goal?.event === event.event || (v.exitOn ?? []).some((e) => e.event === event.event),
  );
}

/**
 * True when a journey could act on this event (trigger, goal or exit). When no
 * live journey does, ingest only records the event on the profile.
 */
export function references(journey: LiveJourney, event: CustomerEvent): boolean {
  if (event.type === 'identify') return journey.trigger.type === 'identify';
  const { trigger } = journey;
  return (trigger.type === 'event' && trigger.event === event.event) || finishes(journey, event);
}

/** Plans everything an event does to enrollments. */
export function planIngest(input: Input): IngestPlan {
  const enroll: Enrollment[] = [];
  const finish: Finish[] = [];
  const skip: Skip[] = [];
  const unmatched: Unmatched[] = [];
  for (const journey of input.journeys) {
    finish.push(...planFinish(journey, input));
    const entry = judgeTrigger(journey, input);
    if (entry === undefined) continue;
    if ('enrollmentId' in entry) enroll.push(entry);
    else if (isUnmatched(entry)) unmatched.push(entry);
    else skip.push(entry);
  }
  const stopped = new Set(finish.filter((f) => f.stop).map((f) => f.enrollment.enrollmentId));
  const resume = (input.waiters ?? [])
    .filter((w) => !stopped.has(w.enrollmentId) && waiterMatches(w, input.event, input.state, input.now))
    .map((waiter) => ({ waiter, key: waiterKey(waiter.enrollmentId, waiter.stepId) }));
  return { enroll, resume, finish, skip, unmatched };
}

const UNMATCHED: ReadonlySet<string> = new Set<UnmatchedReason>([
  'where',
  'audience',
  'paused',
  'archived',
  'draft',
  'notStarted',
  'ended',
]);

function isUnmatched(entry: Skip | Unmatched): entry is Unmatched {
  return UNMATCHED.has(entry.reason);
}

/** What the event does to an entry into the journey: enrolls, is kept out or skipped (and why), or nothing. */
function judgeTrigger(journey: LiveJourney, input: Input): Enrollment | Skip | Unmatched | undefined {
  // A journey paused, archived or outside its window is still named by its trigger: "why not?" has an answer.
  const closed = journey.trigger.type === 'segment' ? undefined : closedReason(journey, input.now);
  if (closed !== undefined && namesEvent(journey, input.event)) return { journey, ...closed };
  const enrollment = planEnrollment(journey, input);
  if (enrollment === undefined || enrollment === 'no') return undefined;
  if (enrollment === 'where' || enrollment === 'audience') return { journey, reason: enrollment };
  const misfit = contextMisfit(journey, input.event);
  // A context variable's value has its own reason, whether missing or of another type.
  if (misfit !== undefined && (enrollment === 'missing' || !tooOld(journey, input)))
    return { journey, reason: 'context', detail: misfit };
  if (enrollment === 'missing') {
    const paths = reportedPaths(missingPaths(journey, input.event));
    return { journey, reason: 'missing', detail: { paths } };
  }
  if (tooOld(journey, input)) return { journey, reason: 'tooOld', detail: { maxAge: maxAgeOf(journey) } };
  return enrollment;
}

/** True when every trigger value that sets a context variable has the declared type (and length). */
function contextFits(journey: LiveJourney, event: CustomerEvent): boolean {
  return contextMisfit(journey, event) === undefined;
}

/** The first trigger value that sets a context variable and differs from its declaration: its path and how. */
function contextMisfit(journey: LiveJourney, event: CustomerEvent): SkipDetail | undefined {
  for (const declared of journey.contextTypes) {
    const problem = entryValueProblem(readPath({ trigger: event }, declared.path), declared);
    if (problem !== undefined) return { paths: [declared.path], problem };
  }
  return undefined;
}

function maxAgeOf(journey: LiveJourney): string | undefined {
  return journey.trigger.type === 'segment' ? undefined : journey.trigger.maxAge;
}

/** True when the trigger event is older than `trigger.maxAge` (its own timestamp against ingest time). */
function tooOld(journey: LiveJourney, input: Pick<Input, 'event' | 'now'>): boolean {
  const { trigger } = journey;
  if (trigger.type === 'segment' || trigger.maxAge === undefined) return false;
  return Date.parse(input.event.timestamp) < rollingWindowStart(input.now, trigger.maxAge).getTime();
}
