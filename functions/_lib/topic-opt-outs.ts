import type { Channel } from '#shared/channels.ts';
import { topicOptOutCap } from '#shared/ingest/limits.ts';
import type { ProfileChanges } from '#shared/profile/changes.ts';
import type { UpdateBuilder } from './expression.ts';
import { attr, optOutCounts } from './profile-item.ts';

/**
 * Topic opt-outs are never dropped once kept, so each channel keeps at most
 * topicOptOutCap of them. The count is taken from the item as read, and kept
 * exact under concurrency by a version (`tv`): every write that adds an
 * opt-out the item did not hold moves it on, on the condition that it has not
 * moved since the read, so two writes at once cannot both take the last
 * places (the second reads again and counts again). Opt-ins only lower the
 * count and need no version; a topic counted as held is written on the
 * condition that it is still opted out of.
 */

/** The version the opt-outs of an item were counted at (absent: never moved). */
export function optOutVersion(item: Readonly<Record<string, unknown>> | undefined): number | undefined {
  const value = item?.[attr.optOutVersion];
  return typeof value === 'number' ? value : undefined;
}

/** How a write of topic opt-outs was planned: the version read and the topics counted as held. */
export type OptOutPlan = {
  version: number | undefined;
  /** Attribute names of topics held opted out when read. */
  held: string[];
  /** True when the write adds opt-outs the item did not hold. */
  adds: boolean;
};

/** Adds the conditions (and the version move) that hold a write to the count it was planned on. */
export function guardOptOuts(b: UpdateBuilder, plan: OptOutPlan): string[] {
  const conditions = plan.held.map((key) => `${b.name(key)} = ${b.value(false)}`);
  if (!plan.adds) return conditions;
  b.set(attr.optOutVersion, (plan.version ?? 0) + 1);
  const tv = b.name(attr.optOutVersion);
  conditions.push(
    plan.version === undefined ? `attribute_not_exists(${tv})` : `${tv} = ${b.value(plan.version)}`,
  );
  return conditions;
}

/** True when a channel of an item read as `counts` has room for one more opt-out. */
export function hasRoom(counts: ReadonlyMap<string, number>, channel: Channel): boolean {
  return (counts.get(channel) ?? 0) < topicOptOutCap(channel);
}

/**
 * Keeps the event's topic opt-outs the profile has room for: every topic it
 * is opted out of already, new ones up to topicOptOutCap per channel; opt-ins
 * are always kept (they make room, and past the topics a channel keeps they
 * are dropped by compaction). Past the cap the whole channel is opted out
 * instead, with the reason recorded and reported — the customer receives
 * fewer messages, never more. The plan holds the write to the count it was
 * made on (topic-opt-outs.ts).
 */
export function capOptOuts(changes: ProfileChanges, item: Readonly<Record<string, unknown>> | undefined) {
  const counts = optOutCounts(item);
  const kept: ProfileChanges['topics'] = [];
  const left = new Map<Channel, string[]>();
  const plan: OptOutPlan = { version: optOutVersion(item), held: [], adds: false };
  for (const change of changes.topics) {
    const key = attr.topic(change.channel, change.topic);
    const held = item !== undefined && Object.hasOwn(item, key) && item[key] === false;
    if (change.subscribed) kept.push(change);
    else if (held) {
      kept.push(change);
      plan.held.push(key);
    } else if (hasRoom(counts, change.channel)) {
      kept.push(change);
      counts.set(change.channel, (counts.get(change.channel) ?? 0) + 1);
      plan.adds = true;
    } else left.set(change.channel, [...(left.get(change.channel) ?? []), change.topic]);
  }
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
