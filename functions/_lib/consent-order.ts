import type { Channel } from '#shared/channels.ts';
import type { RefusedOptIn } from '#shared/profile/refused-opt-in.ts';
import type { UpdateBuilder } from './expression.ts';
import { attr, optOutCounts } from './profile-item.ts';

/**
 * Consent reaches a profile from events, the unsubscribe page and delivery
 * feedback, and they do not arrive in the order they happened: a warehouse
 * sync or a retried identify may carry an opt-in made before an unsubscribe
 * that is already applied. So each channel keeps when its consent last
 * changed (`ca:`), and when a topic of it was last opted out (`cta:`): an
 * opt-in applies only when it is newer, which a condition of its write holds
 * (concurrent writers cannot interleave a read and a write). An opt-out
 * applies whatever its time — the customer receives fewer messages, never
 * more — and a late one keeps the later time, so it lets no older opt-in
 * through either. A tie goes to the opt-out.
 *
 * A topic opted out of stays `false`, as every release reads it (a number
 * would read as opted in to the one before, during a rolling deploy or after
 * a rollback), so its time is kept per channel, not per topic: a topic
 * opt-in applies only when newer than the channel's last topic opt-out,
 * whichever topic that was. A late opt-in to one topic is refused when
 * another was opted out after it — fewer messages, never more — and the
 * customer's newer opt-in applies.
 *
 * Items written before these times were kept order an opt-in against the
 * time of the profile's traits (`ta`), as they did then; the first topic
 * time kept on such an item covers its opt-outs kept without one.
 */

type Item = Readonly<Record<string, unknown>> | undefined;

/** When the channel's consent last changed (epoch ms); undefined when the item holds no time for it. */
export function consentTime(item: Item, channel: Channel): number | undefined {
  const value = item?.[attr.consentAt(channel)];
  return typeof value === 'number' ? value : undefined;
}

/** When a topic of the channel was last opted out (epoch ms); undefined when the item holds no time for it. */
export function topicsTime(item: Item, channel: Channel): number | undefined {
  const value = item?.[attr.topicsAt(channel)];
  return typeof value === 'number' ? value : undefined;
}

/** True when an item kept without consent times orders a change at `at` as newer: by its traits' time. */
function newerThanTraits(item: Item, at: number): boolean {
  const traitsAt = item?.[attr.traitsAt];
  return typeof traitsAt !== 'number' || traitsAt <= at;
}

/** Whether an opt-in of the channel stamped `at` is newer than its last change on the item as read. */
export function channelOptInApplies(item: Item, channel: Channel, at: number): boolean {
  const changed = consentTime(item, channel);
  if (changed !== undefined) return at > changed;
  return item?.[attr.consent(channel)] === undefined || newerThanTraits(item, at);
}

/**
 * Whether an opt-in of a topic stamped `at` applies over what the item holds
 * for it (`stored`): always when the topic is not opted out (nothing to undo),
 * else when newer than the channel's last topic opt-out.
 */
export function topicOptInApplies(item: Item, channel: Channel, stored: unknown, at: number): boolean {
  if (stored !== false) return true;
  const optedOut = topicsTime(item, channel);
  return optedOut === undefined ? newerThanTraits(item, at) : at > optedOut;
}

/**
 * When a topic of the channel was last opted out, as far as the item tells:
 * its time kept, or on an item with opt-outs kept without one (ordered by the
 * traits' time until then) the traits' time; undefined when neither.
 */
function lastTopicOptOut(item: Item, channel: Channel): number | undefined {
  const kept = topicsTime(item, channel);
  if (kept !== undefined) return kept;
  const traitsAt = item?.[attr.traitsAt];
  const untimed = (optOutCounts(item).get(channel) ?? 0) > 0 && typeof traitsAt === 'number';
  return untimed ? traitsAt : undefined;
}

/** The channel's topic time an opt-out of one of its topics at `at` writes: the later of it and the item's. */
export function topicsTimeAfterOptOut(item: Item, channel: Channel, at: number): number {
  return Math.max(lastTopicOptOut(item, channel) ?? at, at);
}

/**
 * The channel's topic time a merge of `from` into `into` keeps: the later of
 * the two sides' (lastTopicOptOut); undefined when neither has one.
 */
export function mergedTopicsTime(from: Item, into: Item, channel: Channel): number | undefined {
  const theirs = lastTopicOptOut(from, channel);
  const ours = lastTopicOptOut(into, channel);
  if (theirs === undefined || ours === undefined) return theirs ?? ours;
  return Math.max(theirs, ours);
}

/** Whether an opt-out at `at` moves the channel's time: only when no later change is kept. */
export function stampsOptOut(item: Item, channel: Channel, at: number): boolean {
  const changed = consentTime(item, channel);
  return changed === undefined || changed <= at;
}

/** The condition of an opt-out that records its time: no later change was kept meanwhile. */
export function noLaterChange(b: UpdateBuilder, channel: Channel, at: number): string {
  const changed = b.name(attr.consentAt(channel));
  return `(attribute_not_exists(${changed}) OR ${changed} <= ${b.value(at)})`;
}

/**
 * The conditions of a channel opt-in stamped `at`: newer than the last change
 * (see the module comment). The change time is older than the opt-in, or there
 * is none and either the channel has no consent or the traits are no newer:
 * written as two conjunctions of flat alternatives (A or (B and (C or D)) is
 * (A or B) and (A or C or D)), as every condition here is. The meaning is the
 * same to DynamoDB, whose conditions are true or false, never unknown; a
 * nested form costs a parser that backtracks on parentheses, such as
 * dynalite's, time exponential in its depth (a quarter of a second at four).
 */
export function channelOptInNewer(b: UpdateBuilder, channel: Channel, at: number): string[] {
  const changed = b.name(attr.consentAt(channel));
  const v = b.value(at);
  const newer = `${changed} < ${v}`;
  return [
    `(${newer} OR attribute_not_exists(${changed}))`,
    `(${newer} OR attribute_not_exists(${b.name(attr.consent(channel))}) OR NOT (${b.name(attr.traitsAt)} > ${v}))`,
  ];
}

/**
 * The conditions of a topic opt-in stamped `at`: the topic is not opted out,
 * or no topic of the channel was opted out at or after `at` (on an item
 * without that time: the traits are no newer). Not (out and (topics ≥ at or
 * (no topics time and traits > at))), written flat as above.
 */
export function topicOptInNewer(b: UpdateBuilder, channel: Channel, key: string, at: number): string[] {
  const topicsAt = b.name(attr.topicsAt(channel));
  const v = b.value(at);
  const notOut = `NOT (${b.name(key)} = ${b.value(false)})`;
  return [
    `(${notOut} OR NOT (${topicsAt} >= ${v}))`,
    `(${notOut} OR attribute_exists(${topicsAt}) OR NOT (${b.name(attr.traitsAt)} > ${v}))`,
  ];
}

/** One channel's consent change of an event, as ProfileChanges carries it. */
type ChannelChange = { channel: Channel; status: 'subscribed' | 'unsubscribed'; reason?: string };

/**
 * Writes a channel's consent change stamped `at` and returns its
 * conditions. `read`: the item the write was planned on (an opt-in older
 * than its last change is left out, an older opt-out applies without its
 * time); without it the conditions decide, and a refused write is planned
 * again on the item.
 */
export function writeChannelChange(
  b: UpdateBuilder,
  change: ChannelChange,
  at: number,
  read: { item: Item } | undefined,
): string[] {
  const { channel, status, reason } = change;
  if (status === 'unsubscribed') {
    b.set(attr.consent(channel), status);
    if (reason !== undefined) b.set(attr.consentReason(channel), reason);
    if (read !== undefined && !stampsOptOut(read.item, channel, at)) return [];
    b.set(attr.consentAt(channel), at);
    return [noLaterChange(b, channel, at)];
  }
  if (read !== undefined && !channelOptInApplies(read.item, channel, at)) return [];
  b.set(attr.consent(channel), status);
  if (reason !== undefined) b.set(attr.consentReason(channel), reason);
  b.set(attr.consentAt(channel), at);
  return channelOptInNewer(b, channel, at);
}

/** A consent change from delivery feedback or an unsubscribe link. */
export type ConsentChange = {
  status?: 'subscribed' | 'unsubscribed' | 'suppressed';
  reason?: string;
  topic?: string;
  subscribed?: boolean;
  /** With `suppressed`: the address it stops (`addressKey`); without, it stops any address. */
  address?: string;
};

/** Whether a change opts in (of a channel, or a topic). */
export function optsIn(change: ConsentChange): boolean {
  return change.status === 'subscribed' || (change.topic !== undefined && change.subscribed === true);
}

/**
 * Writes a consent change at `at` (from a link, feedback or a send) and returns its conditions: an
 * opt-in on the condition that it is newer than the last change (of the
 * channel, or the channel's last topic opt-out); a stop of the channel (an opt-out, a
 * suppression) with its time when `stamp`, on the condition that no later
 * change is kept (refused, the caller writes it again without).
 */
export function writeConsentChange(
  b: UpdateBuilder,
  channel: Channel,
  change: ConsentChange,
  at: number,
  stamp: boolean,
): string[] {
  const conditions: string[] = [];
  const { status, reason } = change;
  if (status === 'suppressed') {
    b.set(attr.suppressed(channel), reason ?? 'suppressed');
    if (change.address === undefined) b.remove(attr.suppressedAddress(channel));
    else b.set(attr.suppressedAddress(channel), change.address);
  } else if (status !== undefined) b.set(attr.consent(channel), status);
  if (reason !== undefined && status !== 'suppressed') b.set(attr.consentReason(channel), reason);
  if (status === 'subscribed') {
    b.set(attr.consentAt(channel), at);
    conditions.push(...channelOptInNewer(b, channel, at));
  } else if (status !== undefined && stamp) {
    b.set(attr.consentAt(channel), at);
    conditions.push(noLaterChange(b, channel, at));
  }
  if (change.topic !== undefined && change.subscribed === true) {
    const topicKey = attr.topic(channel, change.topic);
    b.remove(topicKey);
    conditions.push(...topicOptInNewer(b, channel, topicKey, at));
  }
  return conditions;
}

/**
 * The opt-ins of an event stamped `at` that a write planned on these items
 * left out as older than the last opt-out (channelOptInApplies,
 * topicOptInApplies): `channels`, the item the consent write was planned on
 * (undefined when its conditions alone decided, so it applied); `topics`, the
 * item its topics were planned on.
 */
export function refusedOptIns(
  userId: string,
  changes: {
    consent: readonly ChannelChange[];
    topics: readonly { channel: Channel; topic: string; subscribed: boolean }[];
  },
  planned: { channels: Item; topics: Item },
  at: number,
): RefusedOptIn[] {
  const optInAt = new Date(at).toISOString();
  const out: RefusedOptIn[] = [];
  const iso = (ms: number | undefined) =>
    ms === undefined ? {} : { optedOutAt: new Date(ms).toISOString() };
  const { channels, topics } = planned;
  for (const { channel, status } of changes.consent)
    if (status === 'subscribed' && channels !== undefined && !channelOptInApplies(channels, channel, at))
      out.push({ userId, channel, optInAt, ...iso(consentTime(channels, channel) ?? traitsTime(channels)) });
  for (const { channel, topic, subscribed } of changes.topics) {
    if (!subscribed || topics === undefined) continue;
    const key = attr.topic(channel, topic);
    const stored = Object.hasOwn(topics, key) ? topics[key] : undefined;
    if (!topicOptInApplies(topics, channel, stored, at))
      out.push({ userId, channel, topic, optInAt, ...iso(lastTopicOptOut(topics, channel)) });
  }
  return out;
}

function traitsTime(item: Item): number | undefined {
  const traitsAt = item?.[attr.traitsAt];
  return typeof traitsAt === 'number' ? traitsAt : undefined;
}
