import type { Channel } from '#shared/channels.ts';
import { topicOptOutCap } from '#shared/ingest/limits.ts';
import type { ProfileChanges } from '#shared/profile/changes.ts';
import { topicOptInApplies, topicsTime, topicsTimeAfterOptOut } from './consent-order.ts';
import type { UpdateBuilder } from './expression.ts';
import { attr, isTopicOptOut, optOutCounts, storedTime } from './profile-item.ts';

/**
 * Topic opt-outs are never dropped once kept, so each channel keeps at most
 * topicOptOutCap of them. The count is taken from the item as read, and kept
 * exact under concurrency by a version (`tv`): every write of an event or a
 * merge that changes topics moves it on, on the condition that it has not
 * moved since the read, so two writes at once cannot both take the last
 * places (the second reads again and counts again). The same read orders
 * the event's topic changes (consent-order.ts): an opt-in no newer than the
 * channel's last topic opt-out is left out, an opt-out keeps the later time
 * (`cta:`); the version holds that too, so one condition covers every topic
 * of the write. A single topic changed from a link or feedback moves it as well.
 */

/** The version the opt-outs of an item were counted at (absent: never moved). */
export function optOutVersion(item: Readonly<Record<string, unknown>> | undefined): number | undefined {
  const value = item?.[attr.optOutVersion];
  return typeof value === 'number' ? value : undefined;
}

/** How a write of topics was planned: the version read, and what it writes to each topic kept. */
export type OptOutPlan = {
  version: number | undefined;
  /** Each attribute written, with its value: a topic's `true` or `false`, a channel's topic time (`cta:`). */
  writes: [string, unknown][];
  /** Set (to the event's time) when an opt-in goes over an opt-out kept without a time: it holds to the traits' time. */
  legacyAt?: number;
};

/** Adds the conditions (and the version move) that hold a write to the item it was planned on. */
export function guardOptOuts(b: UpdateBuilder, plan: OptOutPlan): string[] {
  if (plan.writes.length === 0) return [];
  b.set(attr.optOutVersion, (plan.version ?? 0) + 1);
  const tv = b.name(attr.optOutVersion);
  const conditions = [
    plan.version === undefined ? `attribute_not_exists(${tv})` : `${tv} = ${b.value(plan.version)}`,
  ];
  if (plan.legacyAt !== undefined)
    conditions.push(`NOT (${b.name(attr.traitsAt)} > ${b.value(plan.legacyAt)})`);
  return conditions;
}

/** True when a channel of an item read as `counts` has room for one more opt-out. */
export function hasRoom(counts: ReadonlyMap<string, number>, channel: Channel): boolean {
  return (counts.get(channel) ?? 0) < topicOptOutCap(channel);
}

/**
 * Plans the event's topic changes on the item as read: an opt-in newer than
 * the channel's last topic opt-out is kept (opt-ins make room, and past the
 * topics a channel keeps they are dropped by compaction), an older one is
 * left out; every topic it is opted out of already keeps updating (the
 * channel's later time);
 * new opt-outs are kept up to topicOptOutCap per channel. Past the cap the
 * whole channel is opted out instead, with the reason recorded and reported —
 * the customer receives fewer messages, never more. The plan holds the
 * write to the item it was made on.
 */
export function capOptOuts(changes: ProfileChanges, item: Readonly<Record<string, unknown>> | undefined) {
  const counts = optOutCounts(item);
  const at = storedTime(changes.timestamp);
  const kept: ProfileChanges['topics'] = [];
  const left = new Map<Channel, string[]>();
  const optedOut = new Set<Channel>();
  const plan: OptOutPlan = { version: optOutVersion(item), writes: [] };
  const keep = (change: ProfileChanges['topics'][number], key: string, value: unknown) => {
    kept.push(change);
    plan.writes.push([key, value]);
  };
  for (const change of changes.topics) {
    const key = attr.topic(change.channel, change.topic);
    const stored = item !== undefined && Object.hasOwn(item, key) ? item[key] : undefined;
    if (change.subscribed) {
      if (!topicOptInApplies(item, change.channel, stored, at)) continue;
      keep(change, key, true);
      if (stored === false && topicsTime(item, change.channel) === undefined) plan.legacyAt = at;
    } else if (isTopicOptOut(stored) || hasRoom(counts, change.channel)) {
      keep(change, key, false);
      optedOut.add(change.channel);
      if (!isTopicOptOut(stored)) counts.set(change.channel, (counts.get(change.channel) ?? 0) + 1);
    } else left.set(change.channel, [...(left.get(change.channel) ?? []), change.topic]);
  }
  for (const channel of optedOut)
    plan.writes.push([attr.topicsAt(channel), topicsTimeAfterOptOut(item, channel, at)]);
  const consent = changes.consent.filter((c) => !left.has(c.channel));
  const dropped: { trait: string; reason: string }[] = [];
  for (const [channel, topics] of left) {
    const named = `${topics.slice(0, 5).join(', ')}${topics.length > 5 ? ', …' : ''}`;
    const reason = `unsubscribed from ${named}, past the ${topicOptOutCap(channel)} topics a profile keeps opted out of on ${channel}`;
    consent.push({ channel, status: 'unsubscribed', reason });
    dropped.push({
      trait: 'consent',
      reason: `${topics.length} topic opt-outs past the cap (${named}): a profile keeps at most ${topicOptOutCap(channel)} topics opted out of per channel, so the whole ${channel} channel was opted out instead (the rest was applied)`,
    });
  }
  return { changes: { ...changes, topics: kept, consent }, dropped, plan };
}
