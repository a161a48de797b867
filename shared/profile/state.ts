import type { Channel } from '../channels.ts';
import { conditionPaths } from '../conditions/inspect.ts';
import { Condition, ConditionPath } from '../conditions/mini-schema.ts';
import { isRecord, pathSegments, readPath } from '../conditions/path.ts';
import { hex128 } from '../hash.ts';
import { utf8Length } from '../utf8.ts';
import * as z from '../zod.ts';
import type { EventSnapshot } from './changes.ts';
import type { Profile } from './profile.ts';

/**
 * What a customer is part of besides the profile: enrollments, waiting steps
 * and re-entry records, each its own item with a lifetime (the enrollments
 * table), so nothing on the profile item grows with history.
 */

export const ActiveEnrollment = z.object({
  enrollmentId: z.string(),
  journeyId: z.string(),
  version: z.string(),
  executionArn: z.string(),
  enrolledAt: z.string(),
  /**
   * When the customer entered in event time: the trigger event's timestamp (a segment run's time). A
   * goal event stamped earlier — a replay of old orders, a late import — happened before the
   * enrollment and does not convert it. Absent on items written before it was kept.
   */
  enteredAt: z.optional(z.string()),
  correlation: z.optional(z.string()),
  converted: z.optional(z.boolean()),
  /** The message id of the goal event that converted it: a redelivery of that event converts nothing else. */
  convertedBy: z.optional(z.string()),
  /** Set when the execution ended; the item stays only while a goal can still count. */
  endedAt: z.optional(z.string()),
  /** Until when a goal event still counts as a conversion (enrolledAt + goal.within). */
  goalUntil: z.optional(z.string()),
  /** Why ingest stopped the execution (goal or exit event), for the outcome the status handler records. */
  stoppedBy: z.optional(z.enum(['goal', 'exit'])),
  /**
   * The variant assigned at entry for each split step (one per split of the journey): conversions and
   * endings count per variant; `experiment`, the first version of the experiment running there at
   * entry, whose totals count its conversion too.
   */
  variants: z.optional(
    z.array(z.object({ stepId: z.string(), variant: z.string(), experiment: z.optional(z.string()) })),
  ),
  /**
   * The trigger values its version's goal and exit conditions read (`trigger.*` paths only, as a
   * waiter keeps those of its filter): ingest judges them on a later event, where `trigger` is still
   * this enrollment's trigger. Absent when they read none, and on items written before it was kept.
   */
  trigger: z.optional(z.unknown()),
  /**
   * The step it began at (its version's start): its entry's count names it. Absent on items written
   * before it was kept, and for journeys deployed before their registry entry kept it.
   */
  start: z.optional(z.string()),
  /** The last message step sent: a conversion is also counted for it. */
  lastStep: z.optional(z.string()),
  /** When the goal was reached and its value: what the conversion's count holds, kept for its retry. */
  convertedAt: z.optional(z.string()),
  convertedValue: z.optional(z.number()),
  /**
   * Counts marked on the item and not yet known written, each with the time of its mark (epoch ms):
   * a retry that finds one writes the count, guarded against counting it twice (functions/_lib/stats.ts).
   */
  enrolledPending: z.optional(z.number()),
  convertedPending: z.optional(z.number()),
  endedPending: z.optional(z.number()),
});
export type ActiveEnrollment = z.infer<typeof ActiveEnrollment>;

export const Waiter = z.object({
  enrollmentId: z.string(),
  journeyId: z.string(),
  version: z.optional(z.string()),
  stepId: z.string(),
  event: z.string(),
  where: z.optional(Condition),
  match: z._default(z.array(z.object({ path: ConditionPath, value: z.unknown() })), []),
  token: z.string(),
  startedAt: z.string(),
  expiresAt: z.string(),
  /** The journey's default zone, in which `where` reads a date without an offset for a customer without a zone. */
  defaultTimezone: z.optional(z.string()),
  /** Only the trigger values the `where` filter reads (never the whole trigger event). */
  trigger: z.optional(z.unknown()),
  /** The `event.*` paths the steps after the wait copy: an event without one does not answer it. */
  requires: z.optional(z.array(z.string())),
  /** The event that resumed the step is marked received, its count not yet known written (epoch ms of the mark). */
  receivedPending: z.optional(z.number()),
});
export type Waiter = z.infer<typeof Waiter>;

export const ReentryRecord = z.object({ at: z.string(), enrollmentId: z.string() });
export type ReentryRecord = z.infer<typeof ReentryRecord>;

/**
 * The steps a profile counts as waiting for one event: the digests of their
 * registrations, and the count profiles kept before (a number, which a
 * failed write could leave wrong).
 */
export type WaitingSummary = { steps: string[]; legacy?: number };

/** The profile as one write returns it, with the caps state and the last awaited events. */
export type ProfileState = {
  profile: Profile;
  sends: Record<Channel, string[]>;
  /** Bumped by every cap reservation: the optimistic-concurrency guard of `sends`. */
  sendsVersion: number;
  /** How many days `sends` are kept: the longest cap window any journey asked of this customer (absent: 30). */
  sendsKeptDays?: number;
  lastEvents: Record<string, EventSnapshot>;
  /** Per event name, how many steps wait for it (a summary: 0 means no need to look further). */
  waitingFor: Record<string, number>;
  /** Per event name, what that summary is made of (absent: nobody waits for anything). */
  waiting?: Record<string, WaitingSummary>;
  /**
   * Per event name's key (a digest of the name), the digest of the last step
   * that found the event's digests full: that event is looked for by a query
   * until ingest finds every waiter in the summary again.
   */
  waitingOverflow?: Record<string, string>;
  /**
   * Keys of profiles merged into this one within the last year (an anonymous
   * visitor who signed in, an aliased id): enrollments entered under them
   * still run there, and this profile's events reach their goals, exits and
   * waiting steps. Absent when there are none.
   */
  mergedKeys?: string[];
  /** Set when the item read is a merged profile's alias: the key of the profile it joined. */
  aliasOf?: string;
  /**
   * The key `sends` are reserved on, when not the key read: a merged
   * profile's sends are counted and written on the profile it joined, so one
   * person's caps hold whichever id a journey runs under.
   */
  sendsKey?: string;
  /**
   * Suppressions (a hard bounce, an invalid number) of an address the profile
   * spells otherwise than the key they were recorded under: per channel, the
   * reason and that key. A send compares it with the address as the provider
   * is given it (a number read into E.164 in the customer's country), which a
   * read of the item alone cannot tell. Absent when there are none.
   */
  otherSpellingSuppressions?: Partial<Record<Channel, { reason: string; address: string }>>;
};

/** The key of a waiting step: one per (enrollment, step). */
export function waiterKey(enrollmentId: string, stepId: string): string {
  return `${enrollmentId}:${stepId}`;
}

/**
 * The longest correlation value kept as it is in a re-entry key (UTF-8
 * bytes). The key is part of a sort key, which DynamoDB caps at 1024 bytes,
 * and a correlation value is whatever the event carries (a long cart id, a
 * URL): a longer one is keyed by its digest, so the entry is still judged
 * per value instead of every write for the event failing.
 */
const MAX_PLAIN_CORRELATION_BYTES = 256;

/** The key of a re-entry record: per journey, and per correlation value when the journey has one. */
export function reentryKey(journeyId: string, correlation?: string): string {
  if (correlation === undefined) return journeyId;
  if (utf8Length(correlation) <= MAX_PLAIN_CORRELATION_BYTES) return `${journeyId}#${correlation}`;
  return `${journeyId}#~${hex128(correlation)}`;
}

/**
 * The part of a trigger an enrollment's goal and exit conditions read
 * (`trigger.*`), kept on the enrollment for ingest to judge them by; undefined
 * when they read none.
 */
export function endingTriggerValues(
  endings: { goal?: { where?: Condition }; exitOn?: readonly { where?: Condition }[] },
  trigger: unknown,
): unknown {
  const conditions = [endings.goal?.where, ...(endings.exitOn ?? []).map((e) => e.where)].filter(
    (c): c is Condition => c !== undefined,
  );
  if (!conditions.some((c) => conditionPaths(c).some((path) => path.startsWith('trigger.'))))
    return undefined;
  return triggerValuesFor({ all: conditions }, trigger);
}

/**
 * The part of a trigger a waiter's filter reads: the values at its
 * `trigger.*` paths, rebuilt as nested records, so a waiter never stores a
 * copy of the whole trigger event.
 */
export function triggerValuesFor(where: Condition | undefined, trigger: unknown): unknown {
  if (where === undefined) return undefined;
  const out: Record<string, unknown> = Object.create(null);
  for (const path of conditionPaths(where)) {
    if (!path.startsWith('trigger.')) continue;
    const segments = pathSegments(path).slice(1);
    const value = readPath({ trigger }, path);
    if (value === undefined) continue;
    let node = out;
    segments.forEach((segment, i) => {
      if (i === segments.length - 1) {
        node[segment] = value;
        return;
      }
      const next = node[segment];
      if (isRecord(next)) node = next;
      else {
        const created: Record<string, unknown> = Object.create(null);
        node[segment] = created;
        node = created;
      }
    });
  }
  return out;
}
