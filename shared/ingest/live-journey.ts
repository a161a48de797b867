import { Condition } from '../conditions/mini-schema.ts';
import { dictionary, dictionaryOf } from '../dictionary.ts';
import { typedTriggerPaths } from '../journey/checks/journey-context.ts';
import { CONTEXT_TYPES } from '../journey/context-names.ts';
import { EntrySettings, Goal, Reentry, Trigger } from '../journey/mini-schema.ts';
import { requiredTriggerPaths } from '../journey/requirements.ts';
import { JOURNEY_STATUSES } from '../journey/rules.ts';
import type { Journey } from '../journey/schema.ts';
import { formatPath } from '../journey/violations.ts';
import { canonicalName } from '../names.ts';
import { utf8Length } from '../utf8.ts';
import * as z from '../zod.ts';
import { ExperimentState } from './experiments.ts';

/** An event name as a registry entry keeps it; one written before names were read canonical is read so (names.ts). */
const EventName = z.string().check(z.overwrite(canonicalName));

const ExitOn = z.array(z.object({ event: EventName, where: z.optional(Condition) }));

/**
 * The goal and exit events of an earlier version of a journey: its running
 * enrollments finish on them (they run on that version), whatever the live
 * version's say, matched at its own correlation key; and the events its
 * steps wait for, which resume them.
 */
const EarlierEndings = z.object({
  version: z.string(),
  /**
   * Other earlier versions whose endings are these same ones (newest first): an edit that leaves
   * the goal, exits, awaited and counted events and correlation key as they were takes no entry of
   * its own. Absent on entries kept before versions were merged.
   */
  also: z.optional(z.array(z.string())),
  goal: z.optional(Goal),
  exitOn: z.optional(ExitOn),
  awaits: z.optional(z.array(EventName)),
  /** The event names its conditions count over a window: its enrollments still evaluate them. */
  counts: z.optional(z.array(EventName)),
  /**
   * When its last enrollment has ended at the latest (ISO time): a Standard
   * execution's year after it stopped taking entries. Absent on versions kept
   * before it was recorded.
   */
  until: z.optional(z.string()),
  /** Its trigger's correlation key, which tells its parallel enrollments apart. */
  correlationKey: z.optional(z.string()),
});
export type EarlierEndings = z.infer<typeof EarlierEndings>;

/** A variant of a split step, as ingest needs it to draw buckets. */
const SplitVariant = z.object({ name: z.string(), weight: z.number(), holdout: z.boolean() });
type SplitVariant = z.infer<typeof SplitVariant>;

/**
 * What the ingest path knows about a deployed journey, kept on the registry
 * item so that matching needs no S3 read: trigger, audience, re-entry, goal,
 * exit events, settings, split steps, and where new enrollments start.
 * Deploy writes it from the parsed journey (`liveFields`); the functions
 * read it with the `zod/mini` twin of the language's parts
 * (`journey/mini-schema.ts`), so they do not build the language at a cold start.
 */
export const LiveJourney = z.object({
  journeyId: z.string(),
  name: z.string(),
  status: z.enum(JOURNEY_STATUSES),
  /** The live version number. */
  version: z.string(),
  /**
   * The step its enrollments begin at: their entry is counted for it, so a report tells each
   * version's entries apart after an edit moves the start. Absent on entries deployed before it was kept.
   */
  start: z.optional(z.string()),
  versionArn: z.string(),
  aliasArn: z.string(),
  stateMachineArn: z.string(),
  trigger: Trigger,
  audience: z.optional(Condition),
  reentry: Reentry,
  goal: z.optional(Goal),
  exitOn: z.optional(ExitOn),
  /**
   * The goal and exit events of the versions before this one, newest first
   * (earlierEndings): an enrollment of one of them finishes on its own.
   * Absent on entries deployed before they were kept, and for versions past
   * what is kept: then the live version's.
   */
  earlier: z.optional(z.array(EarlierEndings)),
  settings: EntrySettings,
  /**
   * Split step id → its variants, to compute buckets and count entries per
   * variant. Step ids are names marketers choose (`constructor` is one): a
   * record without a prototype, so a lookup finds only a split.
   */
  splits: z._default(
    z.pipe(
      z.record(z.string(), z.array(SplitVariant)),
      z.transform((splits) => dictionaryOf(Object.entries(splits))),
    ),
    () => dictionary<SplitVariant[]>(),
  ),
  /**
   * Event names its conditions count over a window (performed … within):
   * daily counts are kept for these only. Absent on entries deployed before
   * it was recorded: then any.
   */
  counts: z.optional(z.array(EventName)),
  /** Event names its waitForEvent steps wait for (absent on entries deployed before it was recorded: then any). */
  awaits: z.optional(z.array(EventName)),
  /** The experiments on its splits and their decisions (absent: none). */
  experiments: z.optional(z.array(ExperimentState)),
  /** trigger.* paths the state machine resolves (correlation, copied values): a trigger without them does not enroll. */
  requires: z._default(z.array(z.string()), []),
  /** trigger.* paths that set context variables, with their declared type: a trigger with another type is skipped (context). */
  contextTypes: z._default(
    z.array(z.object({ path: z.string(), type: z.enum(CONTEXT_TYPES), maxLength: z.optional(z.number()) })),
    [],
  ),
});
export type LiveJourney = z.infer<typeof LiveJourney>;

/** The split steps of a journey, in step order. */
function splitsOf(journey: Journey): LiveJourney['splits'] {
  const splits = dictionary<SplitVariant[]>();
  for (const [stepId, step] of Object.entries(journey.steps)) {
    if (step.type !== 'split') continue;
    splits[stepId] = step.variants.map((v) => ({ name: v.name, weight: v.weight, holdout: v.holdout }));
  }
  return splits;
}

/** Event names the journey's waitForEvent steps wait for, each with the path of its first step. */
export function awaitedNames(journey: Journey): Map<string, string> {
  const names = new Map<string, string>();
  for (const [stepId, step] of Object.entries(journey.steps))
    if (step.type === 'waitForEvent' && !names.has(step.event))
      names.set(step.event, formatPath(['steps', stepId, 'event']));
  return names;
}

function awaitsOf(journey: Journey): string[] {
  return [...awaitedNames(journey).keys()];
}

/**
 * Event names the journey's conditions count over a trailing window
 * (`performed` with `within`), anywhere in it, each with the path of its first use.
 */
export function countedNames(journey: Journey): Map<string, string> {
  const names = new Map<string, string>();
  const visit = (value: unknown, path: PropertyKey[]): void => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(item, [...path, i]);
    } else if (typeof value === 'object' && value !== null) {
      const record = Object.entries(value);
      const performed = record.find(([k]) => k === 'performed')?.[1];
      const within = record.find(([k]) => k === 'within')?.[1];
      if (typeof performed === 'string' && typeof within === 'string' && !names.has(performed))
        names.set(performed, formatPath([...path, 'performed']));
      for (const [key, child] of record) visit(child, [...path, key]);
    }
  };
  visit(journey, []);
  return names;
}

function windowedCountsOf(journey: Journey): string[] {
  return [...countedNames(journey).keys()];
}

/**
 * How long a version's enrollments may run after it stopped taking new ones
 * (replaced by a deploy, or archived): a Standard execution's year, and a day.
 */
export const RUNNING_AFTER_MS = 366 * 86_400_000;

/** A registry entry as ingest lists it: when an archived journey stopped taking entries. */
export type ListedJourney = LiveJourney & { archivedAt?: string; deployedAt?: string };

/**
 * The versions of a journey that are not live yet may still have running
 * enrollments at `now`: an archived journey's own version for a year after
 * it was archived, and each earlier version until its `until` (one kept
 * before `until` was recorded: while the journey is live, or within the year
 * after its archiving). Newest first.
 */
function stillRunning(journey: ListedJourney, now: Date): Pick<EarlierEndings, 'counts' | 'awaits'>[] {
  const at = now.getTime();
  const stopped =
    journey.status === 'archived' ? Date.parse(journey.archivedAt ?? journey.deployedAt ?? '') : undefined;
  // An archived journey whose time is unknown is taken as long archived.
  const archivedUntil = stopped === undefined ? Number.POSITIVE_INFINITY : (stopped || 0) + RUNNING_AFTER_MS;
  const running: Pick<EarlierEndings, 'counts' | 'awaits'>[] = [];
  if (journey.status === 'archived' && archivedUntil > at) running.push(journey);
  for (const version of journey.earlier ?? []) {
    const until = version.until === undefined ? Number.POSITIVE_INFINITY : Date.parse(version.until);
    if (Math.min(until, archivedUntil) > at) running.push(version);
  }
  return running;
}

/**
 * Event names whose daily counts a journey needs: every name a live journey
 * counts over a window, then, as room allows within the profile's share
 * (`room`, MAX_COUNTED_EVENT_NAMES), the names of versions whose enrollments
 * may still run (an edited journey's earlier versions, an archived journey),
 * newest journeys' first: those enrollments evaluate their own conditions.
 * `undefined`: a live journey does not say, so every event keeps daily counts.
 */
export function countedEvents(
  journeys: readonly ListedJourney[],
  now: Date,
  room: number,
): ReadonlySet<string> | undefined {
  const names = new Set<string>();
  for (const journey of journeys) {
    if (journey.status === 'archived') continue;
    if (journey.counts === undefined) return undefined;
    for (const name of journey.counts) names.add(name);
  }
  // Within the share the live journeys are held to: the profile's daily counts stay as bounded.
  for (const version of runningNewestFirst(journeys, now))
    for (const name of version.counts ?? []) if (names.size < room) names.add(name);
  return names;
}

/** The still-running versions of every journey, the most recently deployed journey's first. */
function runningNewestFirst(journeys: readonly ListedJourney[], now: Date) {
  const order = [...journeys].sort((a, b) => (b.deployedAt ?? '').localeCompare(a.deployedAt ?? ''));
  return order.flatMap((journey) => stillRunning(journey, now));
}

/**
 * Event names some journey may wait for: their last occurrence is kept on the
 * profile (briefly, the 20 most recent) for a step that starts waiting just
 * after the event arrived: those of live journeys, and of versions whose
 * enrollments may still run. `undefined`: a journey does not say, so any event may be awaited.
 */
export function awaitedEvents(
  journeys: readonly ListedJourney[],
  now: Date,
): ReadonlySet<string> | undefined {
  const names = new Set<string>();
  for (const journey of journeys) {
    if (journey.status === 'archived') continue;
    if (journey.awaits === undefined) return undefined;
    for (const name of journey.awaits) names.add(name);
  }
  for (const version of runningNewestFirst(journeys, now))
    for (const name of version.awaits ?? []) names.add(name);
  return names;
}

/**
 * Event names a running enrollment may wait for: those of live journeys, of
 * archived ones (their enrollments run on) and of the earlier versions an
 * entry keeps. `undefined`: a journey or version does not say, so any.
 */
export function awaitedByRunning(journeys: readonly LiveJourney[]): ReadonlySet<string> | undefined {
  const names = new Set<string>();
  for (const journey of journeys)
    for (const version of [journey, ...(journey.earlier ?? [])]) {
      if (version.awaits === undefined) return undefined;
      for (const name of version.awaits) names.add(name);
    }
  return names;
}

/** The variant a bucket (0–99) falls in: cumulative weights in declared order. */
export function variantOf(
  variants: readonly { name: string; weight: number }[],
  bucket: number,
): string | undefined {
  let upper = 0;
  for (const variant of variants) {
    upper += variant.weight;
    if (bucket < upper) return variant.name;
  }
  return variants.at(-1)?.name;
}

/** Distinct endings of earlier versions a live entry keeps: as many as its deploy history. */
const EARLIER_KEPT = 20;
/** Versions that share one entry's endings at most (a journey edited daily for three months keeps them all). */
const ALSO_KEPT = 100;
/** Their JSON at most, so that large goal or exit conditions keep the registry item far below DynamoDB's 400 KB. */
const EARLIER_BYTES = 32 * 1024;

/**
 * The endings (goal and exit events) of the versions before `version`, for
 * its live entry: the previous live version's, then those it kept, newest
 * first, without those whose enrollments have all ended (`until`). Versions
 * whose endings are the same share one entry (`also`), so edits of content
 * alone (messages, waits, templates) take no room. Bounded by distinct
 * endings, by versions per entry and by size: the oldest are left out, and
 * their enrollments then finish on the live version's endings.
 */
export function earlierEndings(
  previous: LiveJourney | undefined,
  version: string,
  replacedAt?: Date,
): EarlierEndings[] {
  if (previous === undefined) return [];
  const own: EarlierEndings = {
    version: previous.version,
    ...(previous.counts === undefined || previous.counts.length === 0 ? {} : { counts: previous.counts }),
    ...(replacedAt === undefined
      ? {}
      : { until: new Date(replacedAt.getTime() + RUNNING_AFTER_MS).toISOString() }),
    ...(previous.goal === undefined ? {} : { goal: previous.goal }),
    ...(previous.exitOn === undefined ? {} : { exitOn: previous.exitOn }),
    ...(previous.awaits === undefined ? {} : { awaits: previous.awaits }),
    ...(previous.trigger.type === 'event' && previous.trigger.correlationKey !== undefined
      ? { correlationKey: previous.trigger.correlationKey }
      : {}),
  };
  const merged: EarlierEndings[] = [];
  const seen = new Set<string>([version]);
  for (const endings of [own, ...(previous.earlier ?? [])]) {
    // A version whose enrollments have all ended by now needs nothing kept.
    if (
      replacedAt !== undefined &&
      endings.until !== undefined &&
      Date.parse(endings.until) <= replacedAt.getTime()
    )
      continue;
    const versions = [endings.version, ...(endings.also ?? [])].filter((v) => !seen.has(v));
    for (const v of versions) seen.add(v);
    const [first, ...rest] = versions;
    if (first === undefined) continue;
    const same = merged.find((m) => sameEndings(m, endings));
    if (same === undefined) {
      const { also: _also, ...kept } = endings;
      merged.push({ ...kept, version: first, ...(rest.length === 0 ? {} : { also: rest }) });
      continue;
    }
    same.also = [...(same.also ?? []), ...versions].slice(0, ALSO_KEPT);
    // The entry lasts as long as the last of its versions' enrollments may run.
    if (same.until === undefined || endings.until === undefined) delete same.until;
    else if (endings.until > same.until) same.until = endings.until;
  }
  const kept: EarlierEndings[] = [];
  let bytes = 0;
  for (const endings of merged) {
    bytes += utf8Length(JSON.stringify(endings));
    if (kept.length >= EARLIER_KEPT || bytes > EARLIER_BYTES) break;
    kept.push(endings);
  }
  return kept;
}

/** Whether two versions finish alike: the same goal, exits, awaited and counted events, and correlation key. */
function sameEndings(a: EarlierEndings, b: EarlierEndings): boolean {
  const part = (e: EarlierEndings) =>
    JSON.stringify([e.goal, e.exitOn, e.awaits, e.counts, e.correlationKey ?? null]);
  return part(a) === part(b);
}

/** The registry fields of a journey (without deployment facts). */
export function liveFields(journey: Journey) {
  return {
    journeyId: journey.id,
    name: journey.name,
    status: journey.status,
    start: journey.start,
    trigger: journey.trigger,
    audience: journey.audience,
    reentry: journey.reentry,
    goal: journey.goal,
    exitOn: journey.exitOn,
    settings: {
      startAt: journey.settings.startAt,
      endAt: journey.settings.endAt,
      defaultTimezone: journey.settings.defaultTimezone,
    },
    splits: splitsOf(journey),
    awaits: awaitsOf(journey),
    counts: windowedCountsOf(journey),
    requires: requiredTriggerPaths(journey),
    contextTypes: typedTriggerPaths(journey.context),
  };
}
