import type { Channel } from '#shared/channels.ts';
import { addressKeys, addressOf } from '#shared/delivery/policy.ts';
import { dictionary } from '#shared/dictionary.ts';
import { hex128 } from '#shared/hash.ts';
import type { EventSnapshot } from '#shared/profile/changes.ts';
import { ConsentStatus, type EventCounter, type Profile, PushToken } from '#shared/profile/profile.ts';
import type { ProfileState, WaitingSummary } from '#shared/profile/state.ts';
import { profileKeys, profileTraitAttribute } from '#shared/tables.ts';
import * as z from '#shared/zod.ts';
import { unpackSeen } from './profile-counter.ts';
import { foldedAttribute, unpackDays } from './profile-day-history.ts';

/**
 * The layout of a profile item. Everything lives in top-level attributes
 * with a prefix, never in nested maps: DynamoDB cannot create a nested path
 * and its parent map in one UpdateItem, and top-level attributes let one
 * write set a trait, bump a counter and record a message id together.
 */
export const attr = {
  trait: profileTraitAttribute,
  consent: (channel: Channel) => `cs:${channel}`,
  consentReason: (channel: Channel) => `cr:${channel}`,
  /**
   * When the channel's consent last changed (epoch ms): an opt-in stamped no later does not apply
   * (consent-order.ts). Items written before it was kept have none.
   */
  consentAt: (channel: Channel) => `ca:${channel}`,
  /** Set only by delivery feedback (hard bounce, complaint): identify traits cannot lift it. */
  suppressed: (channel: Channel) => `sup:${channel}`,
  /** The address a suppression stops (`addressKey`); without it, a suppression stops any address. */
  suppressedAddress: (channel: Channel) => `sua:${channel}`,
  /** `true` (opted in) or `false` (opted out); absent: opted in. */
  topic: (channel: Channel, topic: string) => `ct:${channel}:${topic}`,
  /**
   * When a topic of the channel was last opted out (epoch ms): a topic opt-in stamped no later does
   * not apply (consent-order.ts). Items written before it was kept have none.
   */
  topicsAt: (channel: Channel) => `cta:${channel}`,
  pushToken: (token: string) => `tok:${token}`,
  /** All-time count and first-seen time of an event, packed in one number (profile-counter.ts). */
  seen: (event: string) => `c:${event}`,
  /** When the event last happened (epoch ms). */
  last: (event: string) => `l:${event}`,
  /** Occurrences on one UTC day, the day as days since 1970 in base 36 (3 characters until 2097). */
  day: (event: string, isoDay: string) => `d:${event}:${dayCode(isoDay)}`,
  /** Older daily counts of an event, folded into one binary (profile-day-history.ts). */
  foldedDays: (event: string) => foldedAttribute(event),
  /** The last occurrence of an awaited event: [messageId, epoch ms, properties]. */
  snapshot: (event: string) => `x:${event}`,
  /** Recent sends of a channel for frequency caps, as epoch ms (a third of an ISO string). */
  sends: (channel: Channel) => `sends:${channel}`,
  /** How many steps waited for an event, as profiles counted them before `ws:` (read, no longer written). */
  waitingFor: (event: string) => `wf:${event}`,
  /** The digests of the steps waiting for an event: an event nobody waits for needs no further read (profile-waiting.ts). */
  waitingSteps: (event: string) => `ws:${event}`,
  /** Set when a step found the digests of an event full: the event is looked for until ingest clears it (keyed by the name's digest). */
  waitingOverflow: (event: string) => `wo:${nameKey(event)}`,
  /** A profile merged into this one, by its key, with when (epoch ms): its running enrollments follow this profile's events. */
  mergedKey: (key: string) => `mk:${key}`,
  traitsAt: 'ta',
  /** How many traits the profile holds, to cap their number without a read. */
  traitCount: 'tc',
  sendsVersion: 'sendsVersion',
  /** Moved by each write that adds a topic opt-out: keeps their count per channel exact (topic-opt-outs.ts). */
  optOutVersion: 'tv',
  /** How many days the recent sends are kept (the longest cap window asked of the customer). */
  sendsKeptDays: 'skd',
  /** The item layout version: items in an older one are migrated on their next write. */
  format: 'fv',
} as const;

/** A short key for an event name (8 characters): where the name itself would cost up to 200 bytes. */
export function nameKey(event: string): string {
  return Buffer.from(hex128(event).slice(0, 12), 'hex').toString('base64url');
}

/**
 * The current item layout (1: before the bounded layout, no `fv`; 2: first
 * and last seen and `traitsAt` as ISO strings; 3: as epoch milliseconds;
 * 4: count and first seen packed in one attribute, short prefixes, day codes,
 * binary redelivery digests, snapshots as lists, a count of traits instead of
 * the set of their names; 5: the redelivery guard as two lists of the most
 * recent digests, redelivery-guard.ts, instead of 32 slots a digest shared by chance).
 */
export const PROFILE_FORMAT = 5;

const DAY_MS = 86_400_000;

/** The attribute code of a UTC day (YYYY-MM-DD): days since 1970 in base 36. */
function dayCode(isoDay: string): string {
  return Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / DAY_MS).toString(36);
}

/** The UTC day (YYYY-MM-DD) of a day code; undefined when it is not one. */
function isoDayOf(code: string): string | undefined {
  const days = Number.parseInt(code, 36);
  if (!/^-?[0-9a-z]+$/.test(code) || !Number.isFinite(days)) return undefined;
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** Days since 1970 of a day code (NaN when it is not one). */
export function dayNumberOf(code: string): number {
  return /^-?[0-9a-z]+$/.test(code) ? Number.parseInt(code, 36) : Number.NaN;
}

/**
 * Times on the item (first/last seen, `ta`) are epoch milliseconds: 8
 * bytes instead of 24 for an ISO string; numbers compare in time order in
 * conditions too.
 */
export function storedTime(iso: string): number {
  return Date.parse(iso);
}

/** A stored time as the ISO string the rest of the code reads; older items hold the string itself. */
function readTime(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  return undefined;
}

/** The traits a stored item holds. */
export function traitsOf(item: Readonly<Record<string, unknown>> | undefined): Set<string> {
  return new Set(
    Object.keys(item ?? {})
      .filter((key) => key.startsWith('t:'))
      .map((key) => key.slice(2)),
  );
}

/**
 * A push token's value: `[service, registered at (epoch ms)]`; items written
 * before tokens were capped hold the service alone (registered at 0, so they go first).
 */
export function tokenService(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** When a push token was last registered (epoch ms), from its stored value. */
export function tokenRegisteredAt(value: unknown): number {
  return Array.isArray(value) && typeof value[1] === 'number' ? value[1] : 0;
}

/** Attribute prefixes of the first layout, moved to their own items or dropped by the migration. */
export const LEGACY_PREFIXES = ['m:', 'a:', 'w:', 'r:'] as const;

const Snapshot = z.tuple([z.string(), z.number(), z.record(z.string(), z.unknown())]);
const OlderSnapshot = z.object({
  messageId: z.string(),
  timestamp: z.string(),
  properties: z.record(z.string(), z.unknown()),
});

type PartialCounter = Partial<EventCounter> & { days?: Record<string, number> };

/** Event names, trait keys and topics are customer data: held in Maps and prototype-free records only. */
type Accumulator = {
  profile: Profile;
  counters: Map<string, PartialCounter>;
  state: Omit<ProfileState, 'profile'>;
};

function counterOf(acc: Accumulator, event: string): PartialCounter {
  let counter = acc.counters.get(event);
  if (counter === undefined) {
    counter = {};
    acc.counters.set(event, counter);
  }
  return counter;
}

/**
 * The current layout's event attributes (see `attr`). Every attribute of
 * every profile read passes here: the prefix is told by its characters, and
 * the rest of the name cut only for an attribute that has one.
 */
function readEventAttribute(acc: Accumulator, key: string, value: unknown): boolean {
  if (key.startsWith('dh:')) {
    const counter = counterOf(acc, key.slice(3));
    for (const [day, count] of unpackDays(value) ?? [])
      addDay(counter, new Date(day * DAY_MS).toISOString().slice(0, 10), count);
    return true;
  }
  if (key.charCodeAt(1) !== COLON) return readOlderEventAttribute(acc, key, value);
  const kind = key[0];
  if (kind === 'c') {
    const seen = unpackSeen(value);
    if (seen === undefined) return true;
    const counter = counterOf(acc, key.slice(2));
    counter.count = seen.count;
    counter.first = new Date(seen.firstMs).toISOString();
  } else if (kind === 'l' && typeof value === 'number') counterOf(acc, key.slice(2)).last = readTime(value);
  else if (kind === 'd' && typeof value === 'number') {
    const rest = key.slice(2);
    const split = rest.lastIndexOf(':');
    const day = isoDayOf(rest.slice(split + 1));
    if (split < 0 || day === undefined) return true;
    addDay(counterOf(acc, rest.slice(0, split)), day, value);
  } else if (kind === 'x') {
    const parsed = Snapshot.safeParse(value);
    if (parsed.success) {
      const [messageId, at, properties] = parsed.data;
      acc.state.lastEvents[key.slice(2)] = { messageId, timestamp: new Date(at).toISOString(), properties };
    }
  } else return readOlderEventAttribute(acc, key, value);
  return true;
}

const COLON = 58;

function addDay(counter: PartialCounter, day: string, count: number): void {
  counter.days ??= dictionary<number>();
  counter.days[day] = (counter.days[day] ?? 0) + count;
}

/** Event attributes of layouts 2 and 3, read until the item's next write migrates them. */
function readOlderEventAttribute(acc: Accumulator, key: string, value: unknown): boolean {
  // Every prefix of these layouts is `e` and another letter.
  if (key[0] !== 'e' || key.charCodeAt(2) !== COLON) return false;
  const prefix = key.slice(0, 3);
  const rest = key.slice(3);
  if (prefix === 'en:' && typeof value === 'number') counterOf(acc, rest).count = value;
  else if (prefix === 'ef:' && readTime(value) !== undefined) counterOf(acc, rest).first = readTime(value);
  else if (prefix === 'el:' && readTime(value) !== undefined) counterOf(acc, rest).last = readTime(value);
  else if (prefix === 'ed:' && typeof value === 'number') {
    const split = rest.lastIndexOf(':');
    addDay(counterOf(acc, rest.slice(0, split)), rest.slice(split + 1), value);
  } else if (prefix === 'ex:') {
    const parsed = OlderSnapshot.safeParse(value);
    if (parsed.success) acc.state.lastEvents[rest] = parsed.data satisfies EventSnapshot;
  } else return false;
  return true;
}

/** Adds what one attribute says to the summary of steps waiting for `event`; the summary's parts. */
function addWaiting(state: Accumulator['state'], event: string, steps: number): WaitingSummary {
  state.waitingFor[event] = (state.waitingFor[event] ?? 0) + steps;
  state.waiting ??= dictionary();
  const summary = state.waiting[event] ?? { steps: [] };
  state.waiting[event] = summary;
  return summary;
}

/**
 * Recent sends as ISO strings; undefined when the value is not a list of send
 * times. Stored as epoch ms (9 bytes each); items written before layout 4 hold
 * ISO strings. Checked by hand: a schema's parse would copy the list first.
 */
function sendTimes(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const at of value)
    if (!(typeof at === 'string' || (typeof at === 'number' && Number.isFinite(at)))) return undefined;
  return value.flatMap((at) => readTime(at) ?? []);
}

function readStateAttribute(acc: Accumulator, key: string, value: unknown): boolean {
  const { state } = acc;
  if (key.startsWith('wf:') && typeof value === 'number') {
    addWaiting(state, key.slice(3), Math.max(0, value)).legacy = value;
  } else if (key.startsWith('ws:') && value instanceof Set) {
    const steps = [...value].filter((d): d is string => typeof d === 'string');
    addWaiting(state, key.slice(3), steps.length).steps = steps;
  } else if (key.startsWith('wo:') && typeof value === 'string') {
    state.waitingOverflow ??= dictionary();
    state.waitingOverflow[key.slice(3)] = value;
  } else if (key === profileKeys.aliasOf && typeof value === 'string' && value !== '') {
    state.aliasOf = value;
  } else if (key.startsWith('mk:') && typeof value === 'number') {
    state.mergedKeys = [...(state.mergedKeys ?? []), key.slice(3)];
  } else if (key === 'sends:email' || key === 'sends:sms' || key === 'sends:push') {
    const times = sendTimes(value);
    if (times !== undefined) state.sends[key.slice(6) as Channel] = times;
  } else if (key === attr.sendsVersion && typeof value === 'number') {
    state.sendsVersion = value;
  } else if (key === attr.sendsKeptDays && typeof value === 'number') {
    state.sendsKeptDays = value;
  } else return false;
  return true;
}

const CONSENT_STATUSES: ReadonlySet<unknown> = new Set(ConsentStatus.options);

/** Whether a stored value is a consent status (as ConsentStatus parses it: one of its names, unchanged). */
function isConsentStatus(value: unknown): value is (typeof ConsentStatus.options)[number] {
  return CONSENT_STATUSES.has(value);
}

const PUSH_SERVICES: ReadonlySet<unknown> = new Set(PushToken.shape.service.options);

/**
 * A stored push token as PushToken parses it (a token of at least one
 * character, a service it names), without the schema: every profile read
 * reads each of its tokens.
 */
function pushTokenOf(token: string, service: unknown): PushToken | undefined {
  return token.length > 0 && PUSH_SERVICES.has(service)
    ? { token, service: service as PushToken['service'] }
    : undefined;
}

function readProfileAttribute(acc: Accumulator, key: string, value: unknown): void {
  const { profile } = acc;
  if (key.startsWith('t:')) profile.traits[key.slice(2)] = value;
  else if (key.startsWith('tok:')) {
    const token = pushTokenOf(key.slice(4), tokenService(value));
    if (token !== undefined) profile.pushTokens = [...(profile.pushTokens ?? []), token];
  } else if (key.startsWith('cs:') || key.startsWith('cr:') || key.startsWith('ct:')) {
    // A topic is data and may hold ':' itself: it is everything after the channel.
    const [kind, channel] = key.split(':', 2);
    const topic = kind === 'ct' ? key.slice(`ct:${channel}:`.length) : undefined;
    if (channel !== 'email' && channel !== 'sms' && channel !== 'push') return;
    // Built in place: copying the topics for each one would make a read quadratic in them.
    const next = profile.consent[channel] ?? { status: 'subscribed' };
    profile.consent[channel] = next;
    if (kind === 'cs' && isConsentStatus(value)) next.status = value;
    if (kind === 'cr' && typeof value === 'string') next.reason = value;
    if (kind === 'ct' && topic !== undefined && typeof value === 'boolean') {
      next.topics ??= dictionary();
      Object.defineProperty(next.topics, topic, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  } else if (
    (key === 'email' || key === 'phone' || key === 'timezone' || key === 'locale') &&
    typeof value === 'string'
  ) {
    profile[key] = value;
  }
}

/**
 * Whether a channel's suppression stops the address the profile has now: a
 * bounce or complaint is about the address it came from, and a customer who
 * moved to another address is reachable there (and stopped again on moving back).
 */
function stopsCurrentAddress(item: Record<string, unknown> | undefined, channel: Channel, profile: Profile) {
  const stopped = item?.[attr.suppressedAddress(channel)];
  if (typeof stopped !== 'string') return true;
  const current = addressOf(profile, channel);
  const keys = current === undefined ? [] : addressKeys(current);
  return keys.length === 0 || keys.includes(stopped);
}

/** Reads a stored profile item (external data: every part is parsed, bad parts are ignored). */
export function readProfileItem(userId: string, item: Record<string, unknown> | undefined): ProfileState {
  const acc: Accumulator = {
    profile: { userId, traits: dictionary(), consent: {}, events: dictionary() },
    counters: new Map(),
    state: {
      waitingFor: dictionary(),
      sends: { email: [], sms: [], push: [] },
      sendsVersion: 0,
      lastEvents: dictionary(),
    },
  };
  if (item !== undefined)
    for (const key of Object.keys(item)) {
      const value = item[key];
      if (readEventAttribute(acc, key, value) || readStateAttribute(acc, key, value)) continue;
      readProfileAttribute(acc, key, value);
    }
  for (const channel of ['email', 'sms', 'push'] as const) {
    const reason = item?.[attr.suppressed(channel)];
    if (typeof reason !== 'string') continue;
    if (stopsCurrentAddress(item, channel, acc.profile))
      acc.profile.consent[channel] = { ...acc.profile.consent[channel], status: 'suppressed', reason };
    else {
      const address = item?.[attr.suppressedAddress(channel)];
      if (typeof address === 'string')
        acc.state.otherSpellingSuppressions = {
          ...acc.state.otherSpellingSuppressions,
          [channel]: { reason, address },
        };
    }
  }
  for (const [event, counter] of acc.counters) {
    if (counter.count === undefined || counter.first === undefined || counter.last === undefined) continue;
    acc.profile.events[event] = {
      count: counter.count,
      first: counter.first,
      last: counter.last,
      days: counter.days,
    };
  }
  return { profile: acc.profile, ...acc.state };
}

/** Whether a stored topic value is an opt-out (`false`, as every release reads it). */
export function isTopicOptOut(value: unknown): boolean {
  return value === false;
}

/** How many topics each channel of a profile item is opted out of. */
export function optOutCounts(item: Readonly<Record<string, unknown>> | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [key, value] of Object.entries(item ?? {})) {
    if (!key.startsWith('ct:') || !isTopicOptOut(value)) continue;
    const channel = key.slice(3, key.indexOf(':', 3));
    counts.set(channel, (counts.get(channel) ?? 0) + 1);
  }
  return counts;
}
