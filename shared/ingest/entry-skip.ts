import type { EntrySkipReason } from '../journey/entry/entries.ts';

/**
 * Why a trigger did not enter a customer into a journey, as ingest reports it
 * (a log line on AWS, the activity log and timelines locally). The counted
 * reasons are `EntrySkipReason`s (stats count them as `entrySkipped`); the
 * others are the journey working as written — the trigger's `where`, the
 * `audience`, the re-entry rule, a journey that takes no entries now (its
 * `status`: paused, archived, a draft; before its `startAt`, after its
 * `endAt`) — reported, not counted.
 */
export const NOT_ENTERED_REASONS = [
  'where',
  'audience',
  'reentry',
  'cooldown',
  'paused',
  'archived',
  'draft',
  'notStarted',
  'ended',
] as const;
export type SkipReason = EntrySkipReason | (typeof NOT_ENTERED_REASONS)[number];

/** The most trigger paths a report names: the rest are summed up. */
export const MAX_REPORTED_PATHS = 5;

/**
 * What a skip was judged on: journey definitions and durations, never a value
 * the event carried (a context value of the wrong type is described by its
 * type or length, not shown).
 */
export type SkipDetail = {
  /** The trigger values missing (`missing`) or of another type (`context`), e.g. trigger.properties.plan. */
  paths?: string[];
  /** How the `context` value differs from its declaration. */
  problem?: string;
  /** `tooOld`: the trigger's maxAge. */
  maxAge?: string;
  /** `limit`: the trigger's limit, entries per window. */
  max?: number;
  per?: string;
  /** `cooldown`: the re-entry cooldown. */
  cooldown?: string;
  /** `tooLarge`: the bytes an execution input may take. */
  maxBytes?: number;
  /** `notStarted`: the journey's settings.startAt. */
  startAt?: string;
  /** `ended`: the journey's settings.endAt. */
  endAt?: string;
};

/** One entry skipped: at most one per journey per event. */
export type EntrySkip = {
  userId: string;
  journeyId: string;
  version: string;
  reason: SkipReason;
  detail?: SkipDetail;
};

/** The paths of a report, at most MAX_REPORTED_PATHS. */
export function reportedPaths(paths: readonly string[]): string[] {
  return paths.slice(0, MAX_REPORTED_PATHS);
}

/** The paths named, or what stands for them when none is. */
function pathsText(paths: readonly string[] | undefined, none: string): string {
  return paths === undefined || paths.length === 0 ? none : paths.join(', ');
}

/** Why the entry was skipped, in plain words ("trigger.properties.plan is missing"). */
export function describeSkipReason(skip: Pick<EntrySkip, 'reason' | 'detail'>): string {
  const d = skip.detail ?? {};
  switch (skip.reason) {
    case 'missing':
      return `${pathsText(d.paths, 'a value the journey reads from the trigger')} ${(d.paths?.length ?? 0) > 1 ? 'are' : 'is'} missing`;
    case 'context':
      return `${pathsText(d.paths, 'a context value')} ${d.problem ?? 'not of its declared type'}`;
    case 'tooOld':
      return `the event is older than the trigger's maxAge${d.maxAge === undefined ? '' : ` ${d.maxAge}`}`;
    case 'limit':
      return d.max === undefined
        ? "the trigger's entry limit is reached"
        : `the customer already entered ${d.max === 1 ? 'once' : `${d.max} times`} within ${d.per} (trigger.limit)`;
    case 'tooLarge':
      return `the event is too large to start the journey with${d.maxBytes === undefined ? '' : ` (over ${d.maxBytes} bytes)`}`;
    case 'where':
      return "the event does not match the trigger's where";
    case 'audience':
      return "the customer is not in the journey's audience";
    case 'reentry':
      return 'the customer already entered it (reentry: once)';
    case 'cooldown':
      return `the customer entered it less than ${d.cooldown ?? 'its cooldown'} ago (reentry cooldown)`;
    case 'paused':
    case 'archived':
      return `the journey is ${skip.reason} (no new entries)`;
    case 'draft':
      return 'the journey is a draft (not live)';
    case 'notStarted':
      return `the journey takes entries from ${d.startAt ?? 'its startAt'} (settings.startAt)`;
    case 'ended':
      return `the journey took entries until ${d.endAt ?? 'its endAt'} (settings.endAt)`;
  }
}

/** The line a timeline and `journeys trace` show: "entry into onboarding skipped: trigger.properties.plan is missing". */
export function describeSkip(skip: Pick<EntrySkip, 'journeyId' | 'reason' | 'detail'>): string {
  return `entry into ${skip.journeyId} skipped: ${describeSkipReason(skip)}`;
}
