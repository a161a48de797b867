import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, ProfileChanges } from '#shared/ingest/profile-changes.ts';
import {
  type ActiveEnrollment,
  type ProfileState,
  type ReentryRecord,
  type Waiter,
  waiterKey,
} from '#shared/ingest/state.ts';
import { isConditionFailed, UpdateBuilder } from './expression.ts';
import { attr, readProfileItem, seenMessages } from './profile-item.ts';

/** How many message ids the redelivery guard keeps; trimmed to half when exceeded. */
const SEEN_LIMIT = 200;

/**
 * Builds the single UpdateItem of an event. `fresh`: the event is the newest
 * the profile has seen for what it touches, so its values overwrite; when not
 * fresh, values only fill what is missing (an older event never overwrites).
 */
function eventUpdate(changes: ProfileChanges, fresh: boolean, nowMs: number) {
  const b = new UpdateBuilder();
  const put = (attribute: string, value: unknown) =>
    fresh ? b.set(attribute, value) : b.setIfAbsent(attribute, value);
  b.set(attr.seen(changes.messageId), nowMs);
  const hasTraits = Object.keys(changes.traits).length > 0;
  for (const [name, value] of Object.entries(changes.traits)) put(attr.trait(name), value);
  for (const key of ['email', 'phone', 'timezone', 'locale'] as const) {
    const value = changes[key];
    if (value !== undefined) put(key, value);
  }
  for (const { token, service } of changes.pushTokens) b.set(attr.pushToken(token), service);
  for (const { channel, status } of changes.consent) put(attr.consent(channel), status);
  for (const { channel, topic, subscribed } of changes.topics) put(attr.topic(channel, topic), subscribed);
  if (hasTraits && fresh) b.set(attr.traitsAt, changes.timestamp);
  const conditions = [`attribute_not_exists(${b.name(attr.seen(changes.messageId))})`];
  if (hasTraits && fresh) {
    const at = b.name(attr.traitsAt);
    conditions.push(`(attribute_not_exists(${at}) OR ${at} <= ${b.value(changes.timestamp)})`);
  }
  if (changes.track !== undefined) {
    const { event, day, snapshot } = changes.track;
    b.add(attr.count(event), 1).add(attr.day(event, day), 1);
    b.setIfAbsent(attr.first(event), changes.timestamp);
    put(attr.last(event), changes.timestamp);
    put(attr.snapshot(event), snapshot);
    if (fresh) {
      const last = b.name(attr.last(event));
      conditions.push(`(attribute_not_exists(${last}) OR ${last} <= ${b.value(changes.timestamp)})`);
    }
  }
  return { builder: b, condition: conditions.join(' AND ') };
}

export type RecordedEvent = {
  duplicate: boolean;
  /** The profile after the write; absent when the caller did not need it and no step waits for this event. */
  state?: ProfileState;
  writes: number;
};

/** The profiles table: one item per customer (layout in profile-item.ts). */
export class ProfilesRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async update(userId: string, b: UpdateBuilder, condition?: string, returnAll = true) {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { userId },
        UpdateExpression: b.expression(),
        ...(condition === undefined ? {} : { ConditionExpression: condition }),
        ...b.attributes(),
        ReturnValues: returnAll ? 'ALL_NEW' : 'UPDATED_NEW',
      }),
    );
    return out.Attributes ?? {};
  }

  /** Tries an update; `undefined` when its condition was false. */
  private async tryUpdate(userId: string, b: UpdateBuilder, condition: string, returnAll = true) {
    try {
      return await this.update(userId, b, condition, returnAll);
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * Applies an event to the profile in one conditional UpdateItem. A second
   * write happens only for an out-of-order event (fill-only values) or a
   * redelivered one (then nothing changes and the profile is read back).
   *
   * `needState`: a journey references this event, so the whole profile comes
   * back with the write. Otherwise only the updated attributes come back —
   * plus the count of steps waiting for this event, touched by the same write,
   * so the profile is read only when a step waits for it.
   */
  async recordEvent(changes: ProfileChanges, now: Date, needState = true): Promise<RecordedEvent> {
    const userId = changes.userId;
    const waitKey = changes.track === undefined ? undefined : attr.waitingFor(changes.track.event);
    const build = (fresh: boolean) => {
      const update = eventUpdate(changes, fresh, now.getTime());
      if (!needState && waitKey !== undefined) update.builder.setIfAbsent(waitKey, 0);
      return update;
    };
    const fresh = build(true);
    let item = await this.tryUpdate(userId, fresh.builder, fresh.condition, needState);
    let writes = 1;
    if (item === undefined) {
      const stale = build(false);
      item = await this.tryUpdate(userId, stale.builder, stale.condition, needState);
      writes = 2;
    }
    if (item === undefined) return { duplicate: true, state: await this.get(userId), writes };
    const waiting = waitKey !== undefined && typeof item[waitKey] === 'number' && item[waitKey] > 0;
    if (!needState && !waiting) return { duplicate: false, writes };
    if (!needState) return { duplicate: false, state: await this.get(userId), writes };
    const seen = seenMessages(item);
    if (seen.length > SEEN_LIMIT) await this.forget(userId, seen.slice(0, seen.length - SEEN_LIMIT / 2));
    return { duplicate: false, state: readProfileItem(userId, item), writes };
  }

  private async forget(userId: string, seen: { key: string }[]) {
    const b = new UpdateBuilder();
    for (const { key } of seen) b.remove(key);
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { userId },
        UpdateExpression: b.expression(),
        ...b.attributes(),
      }),
    );
  }

  /** The current profile, read strongly consistent (tasks act on the freshest data). */
  async get(userId: string): Promise<ProfileState> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { userId }, ConsistentRead: true }),
    );
    return readProfileItem(userId, out.Item);
  }

  /**
   * Records an enrollment: the re-entry record and the active enrollment, in
   * one write whose condition enforces the re-entry policy. `notBefore`: the
   * previous entry must be older than this (cooldown); `once`: no previous
   * entry at all. A redelivery of the same enrollment passes (same id).
   */
  async enroll(
    userId: string,
    entry: { key: string; record: ReentryRecord; active: ActiveEnrollment },
    policy: { mode: 'once' } | { mode: 'always' } | { mode: 'after'; notBefore: string },
  ): Promise<boolean> {
    const b = new UpdateBuilder();
    b.set(attr.reentry(entry.key), entry.record);
    b.set(attr.active(entry.record.enrollmentId), entry.active);
    if (policy.mode === 'always') {
      await this.update(userId, b);
      return true;
    }
    const r = b.name(attr.reentry(entry.key));
    const same = `${r}.enrollmentId = ${b.value(entry.record.enrollmentId)}`;
    let condition = `attribute_not_exists(${r}) OR ${same}`;
    if (policy.mode === 'after') {
      b.names['#at'] = 'at';
      condition += ` OR ${r}.#at < ${b.value(policy.notBefore)}`;
    }
    return (await this.tryUpdate(userId, b, condition)) !== undefined;
  }

  /**
   * Marks an enrollment converted (kept active) or removes it (stopped). The
   * condition makes the outcome count once even when the event is redelivered.
   */
  async finishEnrollment(
    userId: string,
    enrollmentId: string,
    outcome: 'convert' | 'remove',
    waiters: readonly Pick<Waiter, 'enrollmentId' | 'stepId' | 'event'>[] = [],
  ): Promise<boolean> {
    const b = new UpdateBuilder();
    const a = b.name(attr.active(enrollmentId));
    if (outcome === 'remove') {
      b.remove(attr.active(enrollmentId));
      for (const w of waiters)
        b.remove(attr.waiter(waiterKey(w.enrollmentId, w.stepId))).add(attr.waitingFor(w.event), -1);
      return (await this.tryUpdate(userId, b, `attribute_exists(${a})`)) !== undefined;
    }
    b.names['#converted'] = 'converted';
    const expression = `SET ${a}.#converted = ${b.value(true)}`;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { userId },
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(${a}) AND attribute_not_exists(${a}.#converted)`,
          ...b.attributes(),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Registers a waiting step; returns the profile as it is after the write. */
  async registerWaiter(userId: string, key: string, waiter: Waiter): Promise<ProfileState> {
    const b = new UpdateBuilder().set(attr.waiter(key), waiter);
    const w = b.name(attr.waiter(key));
    // Count the waiter once even if the task is retried with the same token.
    const item = await this.tryUpdate(
      userId,
      b.add(attr.waitingFor(waiter.event), 1),
      `attribute_not_exists(${w})`,
    );
    if (item !== undefined) return readProfileItem(userId, item);
    return readProfileItem(
      userId,
      await this.update(userId, new UpdateBuilder().set(attr.waiter(key), waiter)),
    );
  }

  /** Removes a waiting step once, guarded by its token (a newer registration is kept). */
  async removeWaiter(userId: string, key: string, waiter: Pick<Waiter, 'token' | 'event'>): Promise<boolean> {
    const token = waiter.token;
    const b = new UpdateBuilder().remove(attr.waiter(key)).add(attr.waitingFor(waiter.event), -1);
    b.names['#token'] = 'token';
    const w = b.name(attr.waiter(key));
    return (await this.tryUpdate(userId, b, `${w}.#token = ${b.value(token)}`)) !== undefined;
  }

  /**
   * Replaces the recent sends of a channel only if no other send reserved a
   * slot since the caller read them (version check): an atomic cap reservation.
   */
  async reserveSends(
    userId: string,
    readVersion: number,
    next: Partial<Record<Channel, string[]>>,
  ): Promise<boolean> {
    const b = new UpdateBuilder();
    for (const [channel, list] of Object.entries(next)) b.set(`sends:${channel}`, list);
    const v = b.name(attr.sendsVersion);
    b.set(attr.sendsVersion, readVersion + 1);
    const condition = readVersion === 0 ? `attribute_not_exists(${v})` : `${v} = ${b.value(readVersion)}`;
    return (await this.tryUpdate(userId, b, condition)) !== undefined;
  }

  /** Sets a channel's consent status (and optionally one topic) from delivery feedback. */
  async setConsent(
    userId: string,
    channel: Channel,
    change: {
      status?: 'subscribed' | 'unsubscribed' | 'suppressed';
      reason?: string;
      topic?: string;
      subscribed?: boolean;
    },
  ): Promise<void> {
    const b = new UpdateBuilder();
    if (change.status === 'suppressed') b.set(attr.suppressed(channel), change.reason ?? 'suppressed');
    else if (change.status !== undefined) b.set(attr.consent(channel), change.status);
    if (change.reason !== undefined && change.status !== 'suppressed')
      b.set(attr.consentReason(channel), change.reason);
    if (change.topic !== undefined && change.subscribed !== undefined) {
      b.set(attr.topic(channel, change.topic), change.subscribed);
    }
    await this.update(userId, b);
  }
}
