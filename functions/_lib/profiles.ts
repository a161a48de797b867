import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dictionaryOf } from '#shared/dictionary.ts';
import { hex128 } from '#shared/hash.ts';
import { MAX_TRAITS_PER_PROFILE } from '#shared/ingest/limits.ts';
import type { Channel, ProfileChanges } from '#shared/ingest/profile-changes.ts';
import type { ProfileState } from '#shared/ingest/state.ts';
import type { PushToken } from '#shared/profile.ts';
import { profileKeys } from '#shared/tables.ts';
import type { EnrollmentItems } from './enrollment-items.ts';
import { isConditionFailed, UpdateBuilder } from './expression.ts';
import { aliasTarget, MAX_ALIAS_HOPS } from './identity-item.ts';
import { REMOVE_BATCH, staleAttributes, worthCompacting } from './profile-compaction.ts';
import { attr, PROFILE_FORMAT, readProfileItem, storedTime } from './profile-item.ts';
import { legacyRecords, needsMigration } from './profile-migration.ts';

/**
 * Slots of the redelivery guard. A message id's digest lands in one slot
 * (chosen by the digest), replacing what was there: a fixed-size ring, so the
 * guard costs the same after 10 or 100,000 events, and a redelivery of any of
 * roughly the last few dozen events is recognised.
 */
const SEEN_SLOTS = 32;

function seenSlot(messageId: string): { slot: string; digest: string } {
  const digest = hex128(messageId).slice(0, 16);
  return { slot: attr.seenSlot(Number.parseInt(digest.slice(0, 8), 16) % SEEN_SLOTS), digest };
}

/**
 * Builds the single UpdateItem of an event. `fresh`: the event is the newest
 * the profile has seen for what it touches, so its values overwrite; when not
 * fresh, values only fill what is missing (an older event never overwrites).
 */
function eventUpdate(changes: ProfileChanges, fresh: boolean, newTraits?: number) {
  const b = new UpdateBuilder();
  const put = (attribute: string, value: unknown) =>
    fresh ? b.set(attribute, value) : b.setIfAbsent(attribute, value);
  const seen = seenSlot(changes.messageId);
  b.set(seen.slot, seen.digest);
  b.set(attr.format, PROFILE_FORMAT);
  const hasTraits = Object.keys(changes.traits).length > 0;
  const at = storedTime(changes.timestamp);
  for (const [name, value] of Object.entries(changes.traits)) put(attr.trait(name), value);
  for (const key of ['email', 'phone', 'timezone', 'locale'] as const) {
    const value = changes[key];
    if (value !== undefined) put(key, value);
  }
  for (const { token, service } of changes.pushTokens) b.set(attr.pushToken(token), service);
  for (const { channel, status } of changes.consent) put(attr.consent(channel), status);
  for (const { channel, topic, subscribed } of changes.topics) put(attr.topic(channel, topic), subscribed);
  if (hasTraits && fresh) b.set(attr.traitsAt, at);
  const slot = b.name(seen.slot);
  const format = b.name(attr.format);
  const conditions = [
    // Not a redelivery of a recent event.
    `(attribute_not_exists(${slot}) OR ${slot} <> ${b.value(seen.digest)})`,
    // A new item, or one already in the current layout (older ones are migrated first).
    `(attribute_not_exists(${b.name('userId')}) OR ${format} = ${b.value(PROFILE_FORMAT)})`,
    // Not a profile merged into another: its events belong to that one (see identity.ts).
    `attribute_not_exists(${b.name(profileKeys.aliasOf)})`,
  ];
  if (hasTraits) {
    const names = Object.keys(changes.traits);
    b.add(attr.traitNames, new Set(names));
    // Room for every name of this event as if new, unless the slow path counted the new ones exactly.
    const tn = b.name(attr.traitNames);
    const room = MAX_TRAITS_PER_PROFILE - (newTraits ?? names.length);
    conditions.push(`(attribute_not_exists(${tn}) OR size(${tn}) <= ${b.value(room)})`);
  }
  if (hasTraits && fresh) {
    const traitsAt = b.name(attr.traitsAt);
    conditions.push(`(attribute_not_exists(${traitsAt}) OR ${traitsAt} <= ${b.value(at)})`);
  }
  if (changes.track !== undefined) {
    const { event, day, snapshot } = changes.track;
    b.add(attr.count(event), 1);
    if (day !== undefined) b.add(attr.day(event, day), 1);
    b.setIfAbsent(attr.first(event), at);
    put(attr.last(event), at);
    if (snapshot !== undefined) put(attr.snapshot(event), snapshot);
    if (fresh) {
      const last = b.name(attr.last(event));
      conditions.push(`(attribute_not_exists(${last}) OR ${last} <= ${b.value(at)})`);
    }
  }
  return { builder: b, condition: conditions.join(' AND ') };
}

/** Keeps the event's traits the profile has room for: every known one, and new ones up to the cap. */
function capTraits(changes: ProfileChanges, item: Record<string, unknown> | undefined) {
  const known = item?.[attr.traitNames];
  const names = known instanceof Set ? new Set([...known].map(String)) : new Set<string>();
  let room = Math.max(0, MAX_TRAITS_PER_PROFILE - names.size);
  let newTraits = 0;
  const kept: [string, unknown][] = [];
  const dropped: RecordedEvent['droppedTraits'] = [];
  for (const [trait, value] of Object.entries(changes.traits)) {
    if (names.has(trait)) kept.push([trait, value]);
    else if (room > 0) {
      kept.push([trait, value]);
      room -= 1;
      newTraits += 1;
    } else dropped.push({ trait, reason: `a profile keeps at most ${MAX_TRAITS_PER_PROFILE} traits` });
  }
  return { changes: { ...changes, traits: dictionaryOf(kept) }, dropped, newTraits };
}

export type RecordedEvent = {
  duplicate: boolean;
  /** New traits left out because the profile holds MAX_TRAITS_PER_PROFILE already. */
  droppedTraits: { trait: string; reason: string }[];
  /** The profile after the write (or as it is, for a duplicate). */
  state: ProfileState;
  /** Profile writes this event took (1 on the hot path). */
  writes: number;
  /** Set when the profile was merged into another: nothing was written, the event belongs to that key. */
  aliasOf?: string;
};

/** The first/last-seen and `traitsAt` attributes of an older item still held as ISO strings, converted. */
function timesToConvert(item: Readonly<Record<string, unknown>>): [string, number][] {
  const out: [string, number][] = [];
  for (const [key, value] of Object.entries(item)) {
    const isTime = key === attr.traitsAt || key.startsWith('ef:') || key.startsWith('el:');
    if (!isTime || typeof value !== 'string') continue;
    const at = storedTime(value);
    if (Number.isFinite(at)) out.push([key, at]);
  }
  return out;
}

/** The profiles table: one bounded item per customer (layout in profile-item.ts). */
export class ProfilesRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    /** Where records of the older layout move when an item is migrated. */
    private readonly enrollments?: EnrollmentItems,
  ) {}

  private async update(userId: string, b: UpdateBuilder, condition?: string) {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { userId },
        UpdateExpression: b.expression(),
        ...(condition === undefined ? {} : { ConditionExpression: condition }),
        ...b.attributes(),
        // Returning the item costs no capacity: it lets the caller plan without a read.
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes ?? {};
  }

  /** Tries an update; `undefined` when its condition was false. */
  private async tryUpdate(userId: string, b: UpdateBuilder, condition: string) {
    try {
      return await this.update(userId, b, condition);
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  private async rawItem(userId: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { userId }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /**
   * Applies an event to the profile in one conditional UpdateItem that
   * returns the whole item. Only when its condition fails does more happen:
   * the item is read to tell a redelivery, an older event (then values only
   * fill what is missing) or an item in the older layout (migrated, then the
   * event applied). A compaction write follows when attributes past their life
   * have piled up (see profile-compaction.ts).
   */
  async recordEvent(event: ProfileChanges, now: Date): Promise<RecordedEvent> {
    let changes = event;
    const userId = changes.userId;
    const droppedTraits: RecordedEvent['droppedTraits'] = [];
    let writes = 1;
    const fresh = eventUpdate(changes, true);
    let item = await this.tryUpdate(userId, fresh.builder, fresh.condition);
    for (let attempt = 0; item === undefined && attempt < 3; attempt++) {
      const current = await this.rawItem(userId);
      const aliasOf = aliasTarget(current);
      if (aliasOf !== undefined) {
        const duplicate = current?.[seenSlot(changes.messageId).slot] === seenSlot(changes.messageId).digest;
        return { duplicate, droppedTraits, state: readProfileItem(userId, current), writes, aliasOf };
      }
      if (needsMigration(current) && current !== undefined) writes += await this.migrate(userId, current);
      const { slot, digest } = seenSlot(changes.messageId);
      if (current?.[slot] === digest) {
        return { duplicate: true, droppedTraits, state: readProfileItem(userId, current), writes };
      }
      // Near the trait cap the room is counted exactly: known traits update, new ones fill what is left.
      const capped = capTraits(changes, current);
      changes = capped.changes;
      if (attempt === 0) droppedTraits.push(...capped.dropped);
      const retry = eventUpdate(changes, true, capped.newTraits);
      writes += 1;
      item = await this.tryUpdate(userId, retry.builder, retry.condition);
      if (item !== undefined) break;
      // Still refused: an older event than what the profile holds, so its values only fill gaps.
      const stale = eventUpdate(changes, false, capped.newTraits);
      writes += 1;
      item = await this.tryUpdate(userId, stale.builder, stale.condition);
    }
    if (item === undefined) {
      throw new Error(`profile ${userId}: the event could not be applied after 3 attempts`);
    }
    writes += await this.compact(userId, item, now);
    return { duplicate: false, droppedTraits, state: readProfileItem(userId, item), writes };
  }

  /** Removes attributes past their life when worth a write; returns the writes made. */
  private async compact(userId: string, item: Record<string, unknown>, now: Date): Promise<number> {
    const stale = staleAttributes(item, now);
    if (!worthCompacting(item, stale)) return 0;
    return this.removeAll(userId, stale);
  }

  /**
   * Removes attributes in batches that keep each expression within DynamoDB's
   * limits; `last` (if any) is applied with the final batch.
   */
  private async removeAll(
    userId: string,
    attributes: readonly string[],
    last?: UpdateBuilder,
  ): Promise<number> {
    const batches: string[][] = [];
    for (let i = 0; i < attributes.length; i += REMOVE_BATCH)
      batches.push(attributes.slice(i, i + REMOVE_BATCH));
    if (batches.length === 0) batches.push([]);
    let writes = 0;
    for (const [index, batch] of batches.entries()) {
      const b = index === batches.length - 1 && last !== undefined ? last : new UpdateBuilder();
      for (const key of batch) b.remove(key);
      if (b.expression() === '') continue;
      // Only on an existing item: a removal never creates an empty profile.
      await this.tryUpdate(userId, b, `attribute_exists(${b.name('userId')})`);
      writes += 1;
    }
    return writes;
  }

  /** Moves what an older-layout item holds to its own items, then rewrites the item in the current layout. */
  private async migrate(userId: string, item: Record<string, unknown>): Promise<number> {
    const legacy = legacyRecords(item);
    if (this.enrollments === undefined && legacy.attributes.some((k) => !k.startsWith('m:'))) {
      throw new Error('profiles: migrating an item with enrollments needs the enrollments table');
    }
    if (this.enrollments !== undefined) await this.enrollments.importLegacy(userId, legacy);
    const done = new UpdateBuilder().set(attr.format, PROFILE_FORMAT);
    // Times kept as ISO strings by the older layouts become numbers (conditions compare them with numbers).
    for (const [key, value] of timesToConvert(item)) done.set(key, value);
    const traits = Object.keys(item).filter((key) => key.startsWith('t:'));
    if (traits.length > 0) done.set(attr.traitNames, new Set(traits.map((key) => key.slice(2))));
    return this.removeAll(userId, legacy.attributes, done);
  }

  /** The current profile, read strongly consistent (tasks act on the freshest data). */
  async get(userId: string): Promise<ProfileState> {
    const item = await this.rawItem(userId);
    const own = readProfileItem(userId, item);
    // A merged profile reads as the one it joined; caps and waiting summaries stay its own.
    let target = aliasTarget(item);
    for (let hop = 0; target !== undefined && hop < MAX_ALIAS_HOPS; hop++) {
      const joined = await this.rawItem(target);
      const further = aliasTarget(joined);
      if (further === undefined) return { ...own, profile: readProfileItem(target, joined).profile };
      target = further;
    }
    return own;
  }

  /**
   * Adjusts the summary of steps waiting for an event (+1 when a step starts
   * waiting, -1 when its waiter is removed); returns the profile after it.
   */
  async adjustWaiting(userId: string, event: string, delta: number): Promise<ProfileState> {
    const b = new UpdateBuilder().add(attr.waitingFor(event), delta);
    return readProfileItem(userId, await this.update(userId, b));
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

  /**
   * Removes device tokens a push service reported dead and swaps tokens it
   * replaced, in one write on an existing profile; returns the removed tokens
   * the profile still had (a repeated report finds none, so nothing counts twice).
   */
  async replacePushTokens(
    userId: string,
    remove: readonly string[],
    add: readonly PushToken[],
  ): Promise<string[]> {
    const b = new UpdateBuilder();
    for (const token of remove) b.remove(attr.pushToken(token));
    for (const { token, service } of add) b.set(attr.pushToken(token), service);
    if (b.expression() === '') return [];
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { userId },
          UpdateExpression: b.expression(),
          ConditionExpression: `attribute_exists(${b.name('userId')})`,
          ...b.attributes(),
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const old = out.Attributes ?? {};
      return remove.filter((token) => old[attr.pushToken(token)] !== undefined);
    } catch (error) {
      if (isConditionFailed(error)) return [];
      throw error;
    }
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
    // A merged profile's consent lives on the profile it joined (a bounce of a message sent under the old id).
    let key = userId;
    for (let hop = 0; hop <= MAX_ALIAS_HOPS; hop++) {
      const alias = b.name(profileKeys.aliasOf);
      if ((await this.tryUpdate(key, b, `attribute_not_exists(${alias})`)) !== undefined) return;
      const target = aliasTarget(await this.rawItem(key));
      if (target === undefined) continue;
      key = target;
    }
    throw new Error(`profile ${userId}: consent not recorded, its alias chain is too long`);
  }
}
