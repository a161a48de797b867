import type { Channel } from '#shared/channels.ts';
import { addressKeys, MAX_SENDS_KEPT } from '#shared/delivery/policy.ts';
import { MAX_TRAITS_PER_PROFILE, topicOptOutCap } from '#shared/ingest/limits.ts';
import { mergedTopicsTime } from './consent-order.ts';
import type { UpdateBuilder } from './expression.ts';
import { HISTORY_DAYS, staleAttributes } from './profile-compaction.ts';
import { packSeen, seenBase, unpackSeen } from './profile-counter.ts';
import { addFolded } from './profile-day-history.ts';
import { attr, isTopicOptOut, optOutCounts, PROFILE_FORMAT, traitsOf } from './profile-item.ts';
import { unionOfSends } from './profile-sends.ts';
import { countedTraits, countTraits, isCountedTrait } from './profile-trait-count.ts';
import { guardOptOuts, type OptOutPlan, optOutVersion } from './topic-opt-outs.ts';

function isChannel(channel: string): channel is Channel {
  return channel === 'email' || channel === 'sms' || channel === 'push';
}

/**
 * What merging one profile item into another writes, computed from both
 * items. The known profile's values win where both have one; history adds
 * up; an opt-out is never lost:
 *
 * - traits, email, phone, time zone, locale, consent, topics and the last
 *   occurrence of an event: copied only where the known profile has none
 *   (traits up to the profile's trait cap, the reserved ones always);
 * - an `unsubscribed` consent: always copied, and when each channel's consent last changed
 *   and a topic of it was last opted out: the later time (consent-order.ts); a topic opted out
 *   of: copied while the known profile has room for it (topicOptOutCap per channel),
 *   past it the whole channel is opted out instead, with the reason — the
 *   customer receives fewer messages, never more;
 * - a suppression (hard bounce, complaint): copied when it concerns the
 *   address the known profile has, or the known profile has none on that channel,
 *   or it names the address it stops and the known profile has no suppression of its
 *   own (it stops that address only); with the address it stops unless the known
 *   profile has a suppression of its own;
 * - event counters, daily buckets and folded days still inside the history window: added;
 *   first seen: the earlier; last seen: the later;
 * - push tokens: all kept;
 * - the keys of profiles merged into the merged one: kept (see `markMerged` in identity.ts);
 * - recent sends (frequency caps): the union, once per send (`unionOfSends`), the newest
 *   MAX_SENDS_KEPT per channel, on the condition that no send reserved a slot on the known profile
 *   since it was read: the known customer's journeys count what the visitor was sent;
 *
 * Not copied: the redelivery guard and waiting summaries (they serve
 * enrollments still running under the merged key).
 */

const SCALARS = new Set(['email', 'phone', 'timezone', 'locale', attr.traitsAt]);
// `mk:`: profiles merged into the merged one earlier; their running enrollments follow along the chain.
const PREFIXES = [
  't:',
  'tok:',
  'cs:',
  'cr:',
  'ca:',
  'cta:',
  'ct:',
  'sup:',
  'sua:',
  'c:',
  'l:',
  'd:',
  'dh:',
  'x:',
  'mk:',
  'sends:',
] as const;

/** A stored list of send times (epoch ms; ISO strings in older items) as epoch ms. */
function sendTimes(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((at: unknown) => {
    const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : Number.NaN;
    return Number.isFinite(ms) ? [ms] : [];
  });
}

/** Whether an attribute of a profile item is part of what a merge moves. */
export function isMergedAttribute(key: string): boolean {
  return SCALARS.has(key) || PREFIXES.some((prefix) => key.startsWith(prefix));
}

/**
 * Moves the known profile's sends version on, as a cap reservation does, on
 * the condition that it has not moved since the item was read: a slot
 * reserved meanwhile is neither lost nor counted twice (the batch is planned again).
 */
function guardSends(b: UpdateBuilder, target: Readonly<Record<string, unknown>>): string {
  const read = target[attr.sendsVersion];
  const version = typeof read === 'number' ? read : 0;
  b.set(attr.sendsVersion, version + 1);
  const v = b.name(attr.sendsVersion);
  return version === 0 ? `attribute_not_exists(${v})` : `${v} = ${b.value(version)}`;
}

/** One UpdateItem's worth of a merge: the expression stays well inside DynamoDB's 4 KB limit. */
export const MERGE_BATCH = 50;

/** The attributes a merge moves, in a stable order: batch `n` is the same slice on every attempt. */
export function mergedAttributes(from: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(from).filter(isMergedAttribute).sort();
}

function timeOf(value: unknown): number | undefined {
  const at = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(at) ? at : undefined;
}

function addressOf(item: Readonly<Record<string, unknown>>, channel: string): string | undefined {
  if (channel === 'email' || channel === 'sms') {
    const value = item[channel === 'email' ? 'email' : 'phone'];
    return typeof value === 'string' ? value : undefined;
  }
  return Object.keys(item).some((key) => key.startsWith('tok:')) ? 'tokens' : undefined;
}

/**
 * Whether the visitor's suppression on a channel joins the known profile: when it concerns the
 * known profile's address, and, with the address it stops recorded and none of the known profile's
 * own, in any case: it then stops that address only, as the profile reads it or as a send gives it
 * to the provider (a number the known profile writes in its national form), and the customer is
 * stopped again on moving to it.
 */
function carriesSuppression(
  from: Readonly<Record<string, unknown>>,
  target: Readonly<Record<string, unknown>>,
  channel: string,
): boolean {
  const bound = typeof from[`sua:${channel}`] === 'string' && target[`sup:${channel}`] === undefined;
  return bound || concernsKnownAddress(from, target, channel);
}

/** The suppression keys (`addressKeys`) of an item's address on a channel: none for push. */
function keysOf(item: Readonly<Record<string, unknown>>, channel: string): string[] {
  const value = addressOf(item, channel);
  if (value === undefined) return [];
  if (channel === 'email') return addressKeys({ channel, email: value });
  if (channel === 'sms') return addressKeys({ channel, phone: value });
  return [];
}

/**
 * Whether the visitor's suppression on a channel concerns the address the known profile has: the
 * address it recorded (`sua:`), else the visitor's own, compared as a suppression reads addresses
 * (letter case, punctuation, an email domain's spellings), not character by character.
 */
function concernsKnownAddress(
  from: Readonly<Record<string, unknown>>,
  target: Readonly<Record<string, unknown>>,
  channel: string,
): boolean {
  const ours = addressOf(target, channel);
  if (ours === undefined || ours === addressOf(from, channel)) return true;
  const stopped = from[`sua:${channel}`];
  const theirs = typeof stopped === 'string' ? [stopped] : keysOf(from, channel);
  return keysOf(target, channel).some((key) => theirs.includes(key));
}

/**
 * An event's count and first-seen time (packed, profile-counter.ts): the
 * counts add up and the earlier first-seen time wins. When the merged one is
 * earlier the value is rewritten whole, on the condition that it has not
 * changed since it was read.
 */
function mergeSeen(b: UpdateBuilder, key: string, value: unknown, known: unknown): string[] {
  const theirs = unpackSeen(value);
  if (theirs === undefined) return [];
  const ours = unpackSeen(known);
  if (ours === undefined || ours.firstMs <= theirs.firstMs) {
    b.addFrom(key, seenBase(theirs.firstMs), theirs.count);
    return [];
  }
  b.set(key, packSeen(ours.count + theirs.count, theirs.firstMs));
  const n = b.name(key);
  return [`${n} = ${b.value(known)}`];
}

/** The reason a channel was opted out of because its topic opt-outs were past the cap. */
function channelInsteadReason(channel: Channel, topics: readonly string[]): string {
  const named = `${topics.slice(0, 5).join(', ')}${topics.length > 5 ? ', …' : ''}`;
  return `unsubscribed from ${named} on a profile that joined this one, past the ${topicOptOutCap(channel)} topics a profile keeps opted out of on ${channel}`;
}

/** What one batch of a merge writes: the conditions that hold it, and the channels opted out instead of topics. */
export type MergePlan = {
  conditions: string[];
  /** Per channel opted out of as a whole because its topic opt-outs were past the cap: the reason recorded. */
  channelsInstead: string[];
};

/** Sets each channel's topic time the merge moves (consent-order.ts), held with the topics' plan. */
function mergeTopicTimes(
  b: UpdateBuilder,
  channels: ReadonlySet<Channel>,
  from: Readonly<Record<string, unknown>>,
  target: Readonly<Record<string, unknown>>,
  plan: OptOutPlan,
): void {
  for (const channel of channels) {
    const merged = mergedTopicsTime(from, target, channel);
    if (merged === undefined || merged === target[attr.topicsAt(channel)]) continue;
    b.set(attr.topicsAt(channel), merged);
    plan.writes.push([attr.topicsAt(channel), merged]);
  }
}

/**
 * Adds to `b` the writes that merge `keys` of `from` into `into` (as read
 * now) and returns the conditions that keep them right if `into` changes
 * before the write; the caller re-reads and recomputes when one fails.
 */
export function mergeBatch(
  b: UpdateBuilder,
  keys: readonly string[],
  from: Readonly<Record<string, unknown>>,
  into: Readonly<Record<string, unknown>> | undefined,
  now: Date,
): MergePlan {
  const target = into ?? {};
  const conditions: string[] = [];
  // Topics opted out of past the cap, per channel: that channel is opted out as a whole.
  const pastCap = new Map<Channel, string[]>();
  const consentKeys: string[] = [];
  const stale = new Set(staleAttributes(from, now));
  const names = traitsOf(into);
  const counted = countedTraits(into).size;
  const added = new Set<string>();
  const optOuts = optOutCounts(target);
  // The count of opt-outs is held to the item as read (topic-opt-outs.ts).
  const optOutPlan: OptOutPlan = { version: optOutVersion(into), writes: [] };
  // Channels whose topic time the merge sets: the visitor opted out of a topic of them.
  const topicChannels = new Set<Channel>();
  let sendsCopied = false;
  for (const key of keys) {
    const value = from[key];
    const known = target[key];
    if (key.startsWith('t:')) {
      const trait = key.slice(2);
      if (known !== undefined || names.has(trait)) continue;
      // The reserved traits always join (like the address they go with); the others up to the cap.
      if (isCountedTrait(trait)) {
        if (counted + added.size >= MAX_TRAITS_PER_PROFILE) continue;
        added.add(trait);
      }
      b.setIfAbsent(key, value);
    } else if (key.startsWith('d:')) {
      if (!stale.has(key) && typeof value === 'number') b.add(key, value);
    } else if (key.startsWith('dh:')) {
      if (stale.has(key)) continue;
      b.set(key, addFolded(value, known, Math.floor(now.getTime() / 86_400_000), HISTORY_DAYS));
      const n = b.name(key);
      conditions.push(known === undefined ? `attribute_not_exists(${n})` : `${n} = ${b.value(known)}`);
    } else if (key.startsWith('c:')) {
      conditions.push(...mergeSeen(b, key, value, known));
    } else if (key.startsWith('cta:')) {
      const channel = key.slice(4);
      if (isChannel(channel)) topicChannels.add(channel);
    } else if (key.startsWith('l:') || key.startsWith('ca:')) {
      // Last seen, and when a channel's consent last changed: the later of the two.
      const at = timeOf(value);
      const knownAt = timeOf(known);
      if (at === undefined || (knownAt !== undefined && knownAt >= at)) continue;
      b.set(key, at);
      // An event arriving meanwhile may have moved it later still.
      const n = b.name(key);
      conditions.push(`(attribute_not_exists(${n}) OR ${n} <= ${b.value(at)})`);
    } else if (key.startsWith('cs:') || key.startsWith('cr:')) {
      // After the topics: a channel opted out of instead of its topics sets these itself.
      consentKeys.push(key);
    } else if (key.startsWith('ct:')) {
      const channel = key.slice(3, key.indexOf(':', 3));
      const count = optOuts.get(channel) ?? 0;
      const optedOut = isTopicOptOut(value);
      if (optedOut && isChannel(channel)) topicChannels.add(channel);
      if (optedOut && isTopicOptOut(known)) {
        b.set(key, false);
        optOutPlan.writes.push([key, false]);
      } else if (optedOut && isChannel(channel) && count < topicOptOutCap(channel)) {
        b.set(key, false);
        optOuts.set(channel, count + 1);
        optOutPlan.writes.push([key, false]);
      } else if (optedOut && isChannel(channel)) {
        const topics = pastCap.get(channel) ?? [];
        topics.push(key.slice(`ct:${channel}:`.length));
        pastCap.set(channel, topics);
      } else if (known === undefined && !optedOut) b.setIfAbsent(key, value);
    } else if (key.startsWith('sup:')) {
      if (carriesSuppression(from, target, key.slice(4))) b.setIfAbsent(key, value);
    } else if (key.startsWith('sua:')) {
      const channel = key.slice(4);
      const own = target[`sup:${channel}`] !== undefined;
      if (!own && carriesSuppression(from, target, channel)) b.setIfAbsent(key, value);
    } else if (key.startsWith('tok:')) {
      b.set(key, value);
    } else if (key.startsWith('sends:')) {
      b.set(key, unionOfSends(sendTimes(value), sendTimes(known)).slice(-MAX_SENDS_KEPT));
      sendsCopied = true;
    } else if (known === undefined) {
      b.setIfAbsent(key, value);
    }
  }
  for (const key of consentKeys) {
    const channel = key.slice(3);
    if (isChannel(channel) && pastCap.has(channel)) continue;
    const optOut = key.startsWith('cs:') && from[key] === 'unsubscribed';
    if (optOut) b.set(key, from[key]);
    else if (target[key] === undefined) b.setIfAbsent(key, from[key]);
  }
  const channelsInstead: string[] = [];
  for (const [channel, topics] of pastCap) {
    const reason = channelInsteadReason(channel, topics);
    b.set(attr.consent(channel), 'unsubscribed');
    b.set(attr.consentReason(channel), reason);
    channelsInstead.push(reason);
  }
  mergeTopicTimes(b, topicChannels, from, target, optOutPlan);
  if (sendsCopied) conditions.push(guardSends(b, target));
  if (added.size > 0) conditions.push(...countTraits(b, into, added.size, true));
  conditions.push(...guardOptOuts(b, optOutPlan));
  b.set(attr.format, PROFILE_FORMAT);
  const format = b.name(attr.format);
  // A new item, or one in the current layout (an older one is migrated by its next event first).
  conditions.push(`(attribute_not_exists(${b.name('userId')}) OR ${format} = ${b.value(PROFILE_FORMAT)})`);
  return { conditions, channelsInstead };
}
