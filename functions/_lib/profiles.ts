import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItem, updateItem } from '#functions/_lib/clients/document-calls.ts';
import type { Channel } from '#shared/channels.ts';
import { dictionaryOf } from '#shared/dictionary.ts';
import { MAX_TRAITS_PER_PROFILE, topicOptOutCap } from '#shared/ingest/limits.ts';
import type { ProfileChanges } from '#shared/profile/changes.ts';
import type { PushToken } from '#shared/profile/profile.ts';
import type { RefusedOptIn } from '#shared/profile/refused-opt-in.ts';
import type { ProfileState, Waiter } from '#shared/profile/state.ts';
import { profileKeys } from '#shared/tables.ts';
import {
  type ConsentChange,
  optsIn,
  refusedOptIns,
  topicsTimeAfterOptOut,
  writeChannelChange,
  writeConsentChange,
} from './consent-order.ts';
import type { EnrollmentItems } from './enrollment-items.ts';
import { isConditionFailed, refusedItem, UpdateBuilder } from './expression.ts';
import { aliasTarget, MAX_ALIAS_HOPS } from './identity-item.ts';
import {
  HISTORY_DAYS,
  REMOVE_BATCH,
  staleAttributes,
  withinHistory,
  worthCompacting,
} from './profile-compaction.ts';
import { packSeen, seenBase, unpackSeen } from './profile-counter.ts';
import { duePlans, type Fold } from './profile-day-history.ts';
import {
  attr,
  dayNumberOf,
  isTopicOptOut,
  optOutCounts,
  PROFILE_FORMAT,
  readProfileItem,
  storedTime,
  traitsOf,
} from './profile-item.ts';
import { type Conversion, layoutConversion, legacyRecords, needsMigration } from './profile-migration.ts';
import { type OverLong, overLongAttributes, removeOverLong } from './profile-names.ts';
import { unionOfSends } from './profile-sends.ts';
import { countedTraits, countTraits, isCountedTrait } from './profile-trait-count.ts';
import { countRegistration, type WaitingCorrection, waiterDigest } from './profile-waiting.ts';
import { guardDue, guardEvent, holdsDigest, messageDigest, turnGuard } from './redelivery-guard.ts';
import {
  dropMarks,
  markOwed,
  type OwedMark,
  overflowingMarks,
  owedMark,
  settleOwed,
} from './report-pending.ts';
import { type SendConsentGuard, sendConsentCondition } from './send-consent-guard.ts';
import { capOptOuts, guardOptOuts, hasRoom, type OptOutPlan, optOutVersion } from './topic-opt-outs.ts';

/**
 * Builds the single UpdateItem of an event. `fresh`: the event is the newest
 * the profile has seen for what it touches, so its values overwrite; when not
 * fresh, values only fill what is missing (an older event never overwrites).
 * `read`: the traits the profile holds, counted by the slow path; without
 * it every trait of the event must already be there (the common case), and
 * a new one fails the condition so that the slow path counts it.
 */
function eventUpdate(
  changes: ProfileChanges,
  now: Date,
  fresh: boolean,
  read?: TraitsRead,
  current?: Readonly<Record<string, unknown>>,
  optOuts?: OptOutPlan,
) {
  const b = new UpdateBuilder();
  const put = (attribute: string, value: unknown) =>
    fresh ? b.set(attribute, value) : b.setIfAbsent(attribute, value);
  // Not a redelivery of a recent event (redelivery-guard.ts).
  const guard = guardEvent(b, messageDigest(changes.messageId));
  b.set(attr.format, PROFILE_FORMAT);
  const hasTraits = Object.keys(changes.traits).length > 0;
  const at = storedTime(changes.timestamp);
  // An older event only fills traits the profile lacks (the stale path has read the item): the ones
  // it has are left out of the write, which keeps the expression within DynamoDB's 4 KB at any event
  // size, and each written trait is guarded by its condition below (exists / not exists).
  const traits = Object.entries(changes.traits).filter(
    ([name]) => fresh || (read !== undefined && !read.known.has(name)),
  );
  for (const [name, value] of traits) b.set(attr.trait(name), value);
  for (const key of ['email', 'phone', 'timezone', 'locale'] as const) {
    const value = changes[key];
    if (value !== undefined) put(key, value);
  }
  // An older event never removes what a newer one set.
  if (fresh) for (const key of changes.cleared ?? []) b.remove(key);
  // With when it was registered: past the cap, the least recently registered go first.
  for (const { token, service } of changes.pushTokens) b.set(attr.pushToken(token), [service, at]);
  // Consent is ordered by its own times, not the traits' (consent-order.ts): an unrelated newer
  // identify neither hides a late opt-out nor lets through an opt-in older than an unsubscribe.
  const ordered = changes.consent.flatMap((change) => writeChannelChange(b, change, at, read));
  // Topics are planned on the item as read (topic-opt-outs.ts), as every event that names one reads it.
  for (const [key, value] of optOuts?.writes ?? []) b.set(key, value);
  if (hasTraits && fresh) b.set(attr.traitsAt, at);
  const format = b.name(attr.format);
  const conditions = [
    ...guard,
    // A new item, or one already in the current layout (older ones are migrated first).
    `(attribute_not_exists(${b.name('userId')}) OR ${format} = ${b.value(PROFILE_FORMAT)})`,
    // Not a profile merged into another: its events belong to that one (see identity.ts).
    `attribute_not_exists(${b.name(profileKeys.aliasOf)})`,
    ...ordered,
  ];
  if (traits.length > 0)
    conditions.push(
      ...traitConditions(
        b,
        traits.map(([name]) => name),
        read,
      ),
    );
  if (optOuts !== undefined) conditions.push(...guardOptOuts(b, optOuts));
  if (hasTraits && fresh) {
    const traitsAt = b.name(attr.traitsAt);
    conditions.push(`(attribute_not_exists(${traitsAt}) OR ${traitsAt} <= ${b.value(at)})`);
  }
  if (changes.track !== undefined) {
    const { event, day, snapshot } = changes.track;
    conditions.push(...countOccurrence(b, event, at, fresh ? undefined : current));
    // A day already past the longest history window would only be removed again.
    if (day !== undefined && withinHistory(day, now)) b.add(attr.day(event, day), 1);
    put(attr.last(event), at);
    if (snapshot !== undefined) {
      put(attr.snapshot(event), [snapshot.messageId, storedTime(snapshot.timestamp), snapshot.properties]);
    }
    if (fresh) {
      const last = b.name(attr.last(event));
      conditions.push(`(attribute_not_exists(${last}) OR ${last} <= ${b.value(at)})`);
    }
  }
  return { builder: b, condition: conditions.join(' AND ') };
}

/**
 * Counts an occurrence; the first one also sets the first-seen time
 * (profile-counter.ts). An occurrence older than the first seen so far (a
 * late event, read with the item on the slow path) moves first seen back,
 * on the condition that nothing counted meanwhile.
 */
function countOccurrence(
  b: UpdateBuilder,
  event: string,
  at: number,
  current: Readonly<Record<string, unknown>> | undefined,
): string[] {
  const key = attr.seen(event);
  const stored = current?.[key];
  const seen = unpackSeen(stored);
  if (seen === undefined || seen.firstMs <= at) {
    b.addFrom(key, seenBase(at), 1);
    return [];
  }
  b.set(key, packSeen(seen.count + 1, at));
  return [`${b.name(key)} = ${b.value(stored)}`];
}

/**
 * What makes the number of traits exact without a read: each counted trait
 * of the write is known (it exists) or new (it does not), and the new ones are
 * added to the count `tc` only while it leaves them room under the cap. The
 * reserved traits are not counted (profile-trait-count.ts): on the hot path
 * they need no condition; a planned write still creates one only where it was absent.
 */
function traitConditions(b: UpdateBuilder, names: readonly string[], read?: TraitsRead) {
  const conditions: string[] = [];
  for (const name of names) {
    const n = b.name(attr.trait(name));
    if (read !== undefined && !read.known.has(name)) conditions.push(`attribute_not_exists(${n})`);
    else if (isCountedTrait(name)) conditions.push(`attribute_exists(${n})`);
  }
  if (read === undefined) return newProfile(b, names, conditions);
  const added = names.filter((n) => isCountedTrait(n) && !read.known.has(n)).length;
  if (added > 0) conditions.push(...countTraits(b, read.item, added, true));
  return conditions;
}

/**
 * The hot path's trait conditions (`known`: each counted trait exists), or
 * the profile does not exist yet: a customer's first event creates it with
 * every trait it carries and their count, in the same write, where the slow
 * path would fail, read nothing and write again. On an existing profile the
 * count must be there too (`if_not_exists` keeps it); an event with more
 * traits than the cap takes the slow path, which leaves the extra ones out.
 */
function newProfile(b: UpdateBuilder, names: readonly string[], known: readonly string[]): string[] {
  const counted = names.filter(isCountedTrait).length;
  if (known.length === 0 || counted > MAX_TRAITS_PER_PROFILE) return [...known];
  b.setIfAbsent(attr.traitCount, counted);
  const exists = [`attribute_exists(${b.name(attr.traitCount)})`, ...known].join(' AND ');
  return [`((${exists}) OR attribute_not_exists(${b.name('userId')}))`];
}

/** The traits a slow-path write was planned on: the names the item held, and the item as read. */
type TraitsRead = { known: ReadonlySet<string>; item: Readonly<Record<string, unknown>> | undefined };

/**
 * Keeps the event's traits the profile has room for: every known one, every
 * reserved one (they always apply), and new ones up to the cap.
 */
function capTraits(changes: ProfileChanges, item: Record<string, unknown> | undefined) {
  const known = traitsOf(item);
  let room = Math.max(0, MAX_TRAITS_PER_PROFILE - countedTraits(item).size);
  const kept: [string, unknown][] = [];
  const dropped: RecordedEvent['droppedTraits'] = [];
  for (const [trait, value] of Object.entries(changes.traits)) {
    if (known.has(trait) || !isCountedTrait(trait)) kept.push([trait, value]);
    else if (room > 0) {
      kept.push([trait, value]);
      room -= 1;
    } else dropped.push({ trait, reason: `a profile keeps at most ${MAX_TRAITS_PER_PROFILE} traits` });
  }
  return { changes: { ...changes, traits: dictionaryOf(kept) }, dropped, read: { known, item } };
}

/**
 * The traits a redelivered event's write left out, worked out again from the
 * profile as it is now: the ones it kept are known to the profile by now, and
 * those it left out still find no room (unless later events made some).
 */
function droppedOnRedelivery(
  changes: ProfileChanges,
  event: ProfileChanges,
  item: Record<string, unknown> | undefined,
): RecordedEvent['droppedTraits'] {
  const optingOut = event.topics.some((t) => !t.subscribed);
  const optOuts = optingOut ? capOptOuts(event, item).dropped : [];
  return [...capTraits(changes, item).dropped, ...optOuts];
}

export type RecordedEvent = {
  duplicate: boolean;
  /** New traits left out because the profile holds MAX_TRAITS_PER_PROFILE already. */
  droppedTraits: { trait: string; reason: string }[];
  /** The profile after the write (or as it is, for a duplicate). */
  state: ProfileState;
  /** Profile writes this event took (1 on the hot path). */
  writes: number;
  /**
   * A redelivery whose first delivery's report of left-out traits may not
   * have been sent: `droppedTraits` are those traits again (report-pending.ts).
   */
  reportPending?: boolean;
  /** The mark of what the event still owes (report-pending.ts): made by this write, or found pending by a redelivery. */
  owed?: OwedMark;
  /** Set when the profile was merged into another: nothing was written, the event belongs to that key. */
  aliasOf?: string;
  /** The event's opt-ins left out as older than the last opt-out (consent-order.ts): none when absent. */
  refusedOptIns?: RefusedOptIn[];
};

const ITEM_EXISTS = 'attribute_exists(userId)';

/** A profile item as stored, when there is one. */
type RawItem = Readonly<Record<string, unknown>> | undefined;

/** The profiles table: one bounded item per customer (layout in profile-item.ts). */
export class ProfilesRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    /** Where records of the older layout move when an item is migrated. */
    private readonly enrollments?: EnrollmentItems,
  ) {}

  private async update(userId: string, b: UpdateBuilder, condition?: string) {
    const out = await updateItem(this.db, {
      TableName: this.table,
      Key: { userId },
      UpdateExpression: b.expression(),
      ...(condition === undefined
        ? {}
        : { ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      ...b.attributes(),
      // Returning the item costs no capacity: it lets the caller plan without a read.
      ReturnValues: 'ALL_NEW',
    });
    return out.Attributes ?? {};
  }

  /**
   * Tries an update: the item after it, or, when its condition was false,
   * `refused` with the item the condition saw when the store returns it
   * (`refusedItem`), so that the caller plans again without reading it.
   */
  private async tryUpdate(
    userId: string,
    b: UpdateBuilder,
    condition: string,
  ): Promise<{ item: Record<string, unknown> } | { refused: Record<string, unknown> | undefined }> {
    try {
      return { item: await this.update(userId, b, condition) };
    } catch (error) {
      if (isConditionFailed(error)) return { refused: refusedItem(error) };
      throw error;
    }
  }

  /**
   * Tries an update whose caller needs only whether it applied: nothing is
   * returned, so a write to a large item does not send the whole item back.
   */
  private async tryWrite(userId: string, b: UpdateBuilder, condition: string): Promise<boolean> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { userId },
        UpdateExpression: b.expression(),
        ConditionExpression: condition,
        ...b.attributes(),
      });
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  private async rawItem(userId: string): Promise<Record<string, unknown> | undefined> {
    const out = await getItem(this.db, { TableName: this.table, Key: { userId }, ConsistentRead: true });
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
  async recordEvent(
    event: ProfileChanges,
    now: Date,
    /** Event names live journeys count over a window, when known: other names' daily counts go. */
    counted?: ReadonlySet<string>,
    /** The event may owe counts once taken (skips): its write marks them pending (report-pending.ts). */
    owes = false,
  ): Promise<RecordedEvent> {
    let changes = event;
    const userId = changes.userId;
    const droppedTraits: RecordedEvent['droppedTraits'] = [];
    let writes = 1;
    // Opt-outs are kept for good, so new ones are counted against the cap first, and every topic change
    // is ordered against what the topic holds: a read, for the rare event that names topics; the write
    // holds to that read, and is planned again when the item moved.
    const topical = event.topics.length > 0;
    let optOuts: ReturnType<typeof capOptOuts> | undefined;
    // The items the write that applies was planned on: what tells an opt-in it left out as older.
    const planned: { channels: RawItem; topics: RawItem } = { channels: undefined, topics: undefined };
    if (topical) {
      planned.topics = await this.rawItem(userId);
      optOuts = capOptOuts(event, planned.topics);
      changes = optOuts.changes;
    }
    const digest = messageDigest(changes.messageId);
    const fresh = eventUpdate(changes, now, true, undefined, undefined, optOuts?.plan);
    const owing = (dropped: readonly unknown[]) => owes || dropped.length > 0;
    let owed = markOwed(
      fresh.builder,
      digest,
      now,
      owing([...changes.droppedTraits, ...(optOuts?.dropped ?? [])]),
    );
    let tried = await this.tryUpdate(userId, fresh.builder, fresh.condition);
    let item = 'item' in tried ? tried.item : undefined;
    for (let attempt = 0; item === undefined && attempt < 3; attempt++) {
      // The item the refused write saw, or (not returned) read now.
      const current = ('refused' in tried ? tried.refused : undefined) ?? (await this.rawItem(userId));
      const aliasOf = aliasTarget(current);
      if (aliasOf !== undefined) {
        const duplicate = holdsDigest(current, messageDigest(changes.messageId));
        return {
          duplicate,
          droppedTraits: duplicate ? [] : droppedTraits,
          state: readProfileItem(userId, current),
          writes,
          aliasOf,
        };
      }
      if (needsMigration(current) && current !== undefined) writes += await this.migrate(userId, current);
      if (holdsDigest(current, digest)) {
        // Reported the first time, unless the report is still pending (droppedOnRedelivery).
        const mark = owedMark(current, digest);
        const droppedTraits = mark !== undefined ? droppedOnRedelivery(changes, event, current) : [];
        return {
          duplicate: true,
          droppedTraits,
          reportPending: mark !== undefined,
          ...(mark === undefined ? {} : { owed: mark }),
          state: readProfileItem(userId, current),
          writes,
        };
      }
      // Events at once filled the guard before any turned it: this one turns it first.
      if (guardDue(current)) writes += await this.turnGuard(userId);
      if (topical) {
        // Planned again from the event as sent: a channel opted out of instead may have room now.
        optOuts = capOptOuts({ ...changes, topics: event.topics, consent: event.consent }, current);
        changes = optOuts.changes;
        planned.topics = current;
      }
      planned.channels = current;
      // New traits are counted exactly: known ones update, new ones fill what the cap leaves.
      const capped = capTraits(changes, current);
      changes = capped.changes;
      if (attempt === 0) droppedTraits.push(...capped.dropped);
      const retry = eventUpdate(changes, now, true, capped.read, undefined, optOuts?.plan);
      const known = [...changes.droppedTraits, ...droppedTraits, ...(optOuts?.dropped ?? [])];
      owed = markOwed(retry.builder, digest, now, owing(known));
      writes += 1;
      tried = await this.tryUpdate(userId, retry.builder, retry.condition);
      if ('item' in tried) {
        item = tried.item;
        break;
      }
      // Still refused: an older event than what the profile holds, so its values only fill gaps.
      // The last attempt only counts: under contention, first seen staying a little late beats failing the event.
      const read = attempt < 2 ? current : undefined;
      const stale = eventUpdate(changes, now, false, capped.read, read, optOuts?.plan);
      owed = markOwed(stale.builder, digest, now, owing(known));
      writes += 1;
      tried = await this.tryUpdate(userId, stale.builder, stale.condition);
      item = 'item' in tried ? tried.item : undefined;
    }
    if (item === undefined) {
      throw new Error(`profile ${userId}: the event could not be applied after 3 attempts`);
    }
    if (guardDue(item)) writes += await this.turnGuard(userId);
    if (owed !== undefined) writes += await this.boundOwed(userId, item);
    writes += await this.compact(userId, item, now, counted);
    droppedTraits.push(...(optOuts?.dropped ?? []));
    const refused = refusedOptIns(userId, event, planned, storedTime(event.timestamp));
    return {
      duplicate: false,
      droppedTraits,
      ...(refused.length === 0 ? {} : { refusedOptIns: refused }),
      state: readProfileItem(userId, item),
      writes,
      ...(owed === undefined ? {} : { owed }),
    };
  }

  /** Takes out the marks past the bound (report-pending.ts): one write, only when there are. */
  private async boundOwed(userId: string, item: Record<string, unknown>): Promise<number> {
    const over = overflowingMarks(item, userId);
    if (over.length === 0) return 0;
    const b = new UpdateBuilder();
    dropMarks(b, over);
    await this.tryWrite(userId, b, ITEM_EXISTS);
    return 1;
  }

  /** Settles what the event owed once done (report-pending.ts). */
  async settleOwed(userId: string, messageId: string, mark: OwedMark): Promise<void> {
    const b = new UpdateBuilder();
    // Never creating the item: a profile deleted meanwhile owes nothing.
    await this.tryWrite(userId, b, settleOwed(b, mark, messageDigest(messageId)) ?? ITEM_EXISTS);
  }

  /** Turns the redelivery guard (redelivery-guard.ts): one write every GUARD_TURN events. */
  private async turnGuard(userId: string): Promise<number> {
    const b = new UpdateBuilder();
    const condition = turnGuard(b);
    await this.tryWrite(userId, b, condition);
    return 1;
  }

  /**
   * Removes attributes past their life when worth a write, and folds the
   * daily buckets of names with enough loose days; returns the writes made.
   */
  private async compact(
    userId: string,
    item: Record<string, unknown>,
    now: Date,
    counted: ReadonlySet<string> | undefined,
  ): Promise<number> {
    const overLong = overLongAttributes(item);
    if (overLong.remove.length > 0) return this.removeOverLong(userId, overLong);
    const stale = staleAttributes(item, now, counted);
    const staleKeys = new Set(stale);
    // Nothing stale (nearly every write): the item itself, not a copy of it.
    const live =
      stale.length === 0
        ? item
        : Object.fromEntries(Object.entries(item).filter(([key]) => !staleKeys.has(key)));
    const today = Math.floor(now.getTime() / 86_400_000);
    let writes = worthCompacting(item, stale) ? await this.removeAll(userId, stale) : 0;
    for (const fold of duePlans(live, today, HISTORY_DAYS, dayNumberOf))
      writes += await this.fold(userId, fold);
    return writes;
  }

  /**
   * One name's loose days into its folded value, on the condition that none
   * of what was read has changed since; a refused fold is tried after a later write.
   */
  private async fold(userId: string, fold: Fold): Promise<number> {
    const b = new UpdateBuilder();
    const key = attr.foldedDays(fold.event);
    b.set(key, fold.after);
    const n = b.name(key);
    const conditions = [
      fold.before === undefined ? `attribute_not_exists(${n})` : `${n} = ${b.value(fold.before)}`,
    ];
    for (const { key: bucket, count } of fold.loose) {
      b.remove(bucket);
      conditions.push(`${b.name(bucket)} = ${b.value(count)}`);
    }
    await this.tryWrite(userId, b, conditions.join(' AND '));
    return 1;
  }

  /**
   * Removes attributes named past the limits (profile-names.ts) in batches;
   * the next write compacts the rest as usual.
   */
  private async removeOverLong(userId: string, found: OverLong): Promise<number> {
    let writes = 0;
    for (let i = 0; i < found.remove.length; i += REMOVE_BATCH) {
      const b = new UpdateBuilder();
      const conditions = removeOverLong(b, found, found.remove.slice(i, i + REMOVE_BATCH));
      await this.tryWrite(userId, b, [`attribute_exists(${b.name('userId')})`, ...conditions].join(' AND '));
      writes += 1;
    }
    return writes;
  }

  /** Removes attributes in batches that keep each expression within DynamoDB's limits. */
  private async removeAll(userId: string, attributes: readonly string[]): Promise<number> {
    let writes = 0;
    for (let i = 0; i < attributes.length; i += REMOVE_BATCH) {
      const b = new UpdateBuilder();
      for (const key of attributes.slice(i, i + REMOVE_BATCH)) b.remove(key);
      // Only on an existing item: a removal never creates an empty profile.
      await this.tryWrite(userId, b, `attribute_exists(${b.name('userId')})`);
      writes += 1;
    }
    return writes;
  }

  /**
   * Brings an item of an older layout to the current one (profile-migration.ts):
   * records of the first layout move to their own items, attributes of later
   * ones are rewritten, in batches that each convert whole event names; the
   * last batch marks the layout. Every batch runs only while the item is still
   * unmarked, so a concurrent migration that finished first is never undone.
   */
  private async migrate(userId: string, item: Record<string, unknown>): Promise<number> {
    const legacy = legacyRecords(item);
    if (this.enrollments === undefined && legacy.attributes.some((k) => !k.startsWith('m:'))) {
      throw new Error('profiles: migrating an item with enrollments needs the enrollments table');
    }
    if (this.enrollments !== undefined) await this.enrollments.importLegacy(userId, legacy);
    const groups = [...layoutConversion(item)];
    for (let i = 0; i < legacy.attributes.length; i += REMOVE_BATCH)
      groups.push({ set: [], remove: legacy.attributes.slice(i, i + REMOVE_BATCH) });
    const batches: Conversion[][] = [[]];
    let size = 0;
    for (const group of groups) {
      const ops = group.set.length + group.remove.length;
      if (size + ops > REMOVE_BATCH && size > 0) {
        batches.push([]);
        size = 0;
      }
      batches.at(-1)?.push(group);
      size += ops;
    }
    let writes = 0;
    for (const [index, batch] of batches.entries()) {
      const b = new UpdateBuilder();
      for (const group of batch) {
        for (const [key, value] of group.set) b.set(key, value);
        for (const key of group.remove) b.remove(key);
      }
      if (index === batches.length - 1) {
        b.set(attr.format, PROFILE_FORMAT);
        // The count of traits replaces the set of their names (layouts up to 3).
        b.set(attr.traitCount, traitsOf(item).size);
        if (Object.hasOwn(item, 'tn')) b.remove('tn');
      }
      const format = b.name(attr.format);
      const unmarked = `attribute_exists(${b.name('userId')}) AND (attribute_not_exists(${format}) OR ${format} <> ${b.value(PROFILE_FORMAT)})`;
      writes += 1;
      if (!(await this.tryWrite(userId, b, unmarked))) break;
    }
    return writes;
  }

  /** As {@link get}, or undefined when no profile (nor a merged id's item) is kept for the id: one read. */
  async find(userId: string): Promise<ProfileState | undefined> {
    const item = await this.rawItem(userId);
    return item === undefined ? undefined : this.joined(userId, item);
  }

  /**
   * The current profile, read strongly consistent (tasks act on the freshest data); a merged
   * profile's key reads the profile it joined, with its own waiting summaries. Its recent sends
   * are the joined profile's, with its own from before the merge, reserved on the joined key
   * (`sendsKey`): a frequency cap counts the person, whichever id an enrollment runs under.
   */
  async get(userId: string): Promise<ProfileState> {
    return this.joined(userId, await this.rawItem(userId));
  }

  /** The profile of an item read: its own, or (a merged id's) the one it joined. */
  private async joined(userId: string, item: Record<string, unknown> | undefined): Promise<ProfileState> {
    const own = readProfileItem(userId, item);
    let target = aliasTarget(item);
    for (let hop = 0; target !== undefined && hop < MAX_ALIAS_HOPS; hop++) {
      const joined = await this.rawItem(target);
      const further = aliasTarget(joined);
      if (further === undefined) {
        // The events after the merge land on the joined profile: so do the last ones a waiting step looks at.
        const into = readProfileItem(target, joined);
        const { profile, lastEvents, sendsVersion } = into;
        const kept = Math.max(own.sendsKeptDays ?? 0, into.sendsKeptDays ?? 0);
        return {
          ...own,
          profile,
          lastEvents,
          sends: {
            email: unionOfSends(own.sends.email, into.sends.email),
            sms: unionOfSends(own.sends.sms, into.sends.sms),
            push: unionOfSends(own.sends.push, into.sends.push),
          },
          sendsVersion,
          ...(kept === 0 ? {} : { sendsKeptDays: kept }),
          sendsKey: target,
        };
      }
      target = further;
    }
    return own;
  }

  /**
   * Counts a waiting step in the profile's summary of steps waiting for its
   * event (profile-waiting.ts): its digest is added, or, when the event's
   * digests are full, set as the event's overflow mark. Idempotent: a retry
   * after a write whose answer was lost adds nothing more. Returns the
   * profile after it.
   */
  async countWaiting(
    userId: string,
    waiter: Pick<Waiter, 'event' | 'enrollmentId' | 'stepId' | 'token'>,
  ): Promise<ProfileState> {
    const digest = waiterDigest(waiter);
    const b = new UpdateBuilder();
    const room = countRegistration(b, waiter.event, digest);
    const added = await this.tryUpdate(userId, b, room);
    if ('item' in added) return readProfileItem(userId, added.item);
    const overflow = new UpdateBuilder().set(attr.waitingOverflow(waiter.event), digest);
    return readProfileItem(userId, await this.update(userId, overflow));
  }

  /**
   * Takes a removed waiter's step out of the summary (its digest; a step that
   * was never counted, or was taken out already, changes nothing), without
   * reading the profile back: the callers need nothing of it, and a profile
   * is the largest item a customer has.
   */
  async releaseWaiting(
    userId: string,
    waiter: Pick<Waiter, 'event' | 'enrollmentId' | 'stepId' | 'token'>,
  ): Promise<void> {
    const b = new UpdateBuilder().deleteFrom(
      attr.waitingSteps(waiter.event),
      new Set([waiterDigest(waiter)]),
    );
    await this.write(userId, b);
  }

  /**
   * Brings an event's summary back to the waiters a query found (see
   * profile-waiting.ts): stale digests out, and the overflow mark and the
   * older count gone when every waiter found has a digest — the mark only if
   * no step set it again since `seen` (the mark the caller read).
   */
  async correctWaiting(
    userId: string,
    event: string,
    correction: WaitingCorrection,
    seenOverflow: string | undefined,
  ): Promise<void> {
    const b = new UpdateBuilder();
    if (correction.stale.length > 0) b.deleteFrom(attr.waitingSteps(event), new Set(correction.stale));
    if (!correction.covered) return this.write(userId, b);
    b.remove(attr.waitingFor(event));
    const mark = b.name(attr.waitingOverflow(event));
    b.remove(attr.waitingOverflow(event));
    const unchanged =
      seenOverflow === undefined ? `attribute_not_exists(${mark})` : `${mark} = ${b.value(seenOverflow)}`;
    // A step that found the digests full since the read set a new mark: it stays, and so does the rest.
    await this.tryWrite(userId, b, unchanged);
  }

  private async write(userId: string, b: UpdateBuilder): Promise<void> {
    await updateItem(this.db, {
      TableName: this.table,
      Key: { userId },
      UpdateExpression: b.expression(),
      ...b.attributes(),
    });
  }

  /**
   * Replaces the recent sends of a channel only if no other send reserved a
   * slot since the caller read them (version check): an atomic cap reservation.
   * `keptDays`, when given, is how long sends are kept from now on. A merged
   * profile's key reserves on the profile it joined, whose sends `get` read.
   * With a `guard`, only while the profile still lets the send go out
   * (send-consent-guard.ts): refused otherwise, like a version that moved.
   */
  async reserveSends(
    userId: string,
    readVersion: number,
    next: Partial<Record<Channel, string[]>>,
    keptDays?: number,
    guard?: SendConsentGuard,
  ): Promise<boolean> {
    const b = new UpdateBuilder();
    for (const [channel, list] of Object.entries(next)) {
      if (channel === 'email' || channel === 'sms' || channel === 'push')
        b.set(attr.sends(channel), list?.map((at) => storedTime(at)) ?? []);
    }
    if (keptDays !== undefined) b.set(attr.sendsKeptDays, keptDays);
    const v = b.name(attr.sendsVersion);
    b.set(attr.sendsVersion, readVersion + 1);
    const version = readVersion === 0 ? `attribute_not_exists(${v})` : `${v} = ${b.value(readVersion)}`;
    const consent = guard === undefined ? '' : ` AND ${sendConsentCondition(b, guard)}`;
    const condition = `${version} AND attribute_not_exists(${b.name(profileKeys.aliasOf)})${consent}`;
    let key = userId;
    for (let hop = 0; hop <= MAX_ALIAS_HOPS; hop++) {
      if (await this.tryWrite(key, b, condition)) return true;
      // Refused: another send moved the version, or the key has joined another profile.
      const target = aliasTarget(await this.rawItem(key));
      if (target === undefined) return false;
      key = target;
    }
    return false;
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
      const out = await updateItem(this.db, {
        TableName: this.table,
        Key: { userId },
        UpdateExpression: b.expression(),
        ConditionExpression: `attribute_exists(${b.name('userId')})`,
        ...b.attributes(),
        ReturnValues: 'UPDATED_OLD',
      });
      const old = out.Attributes ?? {};
      return remove.filter((token) => old[attr.pushToken(token)] !== undefined);
    } catch (error) {
      if (isConditionFailed(error)) return [];
      throw error;
    }
  }

  /**
   * Sets a channel's consent status (and optionally one topic) from delivery
   * feedback or an unsubscribe link, as of `at` (when it happened). Opting in
   * to a topic removes its value (no value means opted in, and takes no
   * room); opting out of one is counted against the cap (optOutOfTopic). An
   * opt-in no newer than the last change kept is not applied (`notNewer`);
   * an opt-out always is (consent-order.ts).
   */
  async setConsent(
    userId: string,
    channel: Channel,
    change: ConsentChange,
    at: Date,
  ): Promise<ConsentOutcome> {
    const time = at.getTime();
    // Every topic opt-out is counted against the cap, whatever else the change holds.
    if (change.topic !== undefined && change.subscribed === false) {
      const outcome = await this.optOutOfTopic(userId, channel, change.topic, time);
      if (change.status === undefined && change.reason === undefined) return outcome;
      const { status, reason, address } = change;
      const rest = {
        ...(status === undefined ? {} : { status }),
        ...(reason === undefined ? {} : { reason }),
        ...(address === undefined ? {} : { address }),
      };
      await this.setConsent(userId, channel, rest, at);
      return outcome;
    }
    // A merged profile's consent lives on the profile it joined (a bounce of a message sent under the old id).
    let key = userId;
    let stamp = true;
    for (let attempt = 0; attempt <= MAX_ALIAS_HOPS + 1; attempt++) {
      const b = new UpdateBuilder();
      const conditions = [keptAndOwn(b), ...writeConsentChange(b, channel, change, time, stamp)];
      if (await this.tryWrite(key, b, conditions.join(' AND '))) return {};
      const item = await this.rawItem(key);
      if (item === undefined) return { noProfile: true };
      const target = aliasTarget(item);
      if (target !== undefined) key = target;
      // Refused by the order of changes: an opt-out applies without moving a later time back.
      else if (!optsIn(change)) stamp = false;
      else return { notNewer: true };
    }
    throw new Error(`profile ${userId}: consent not recorded, its alias chain is too long`);
  }

  /**
   * Opts out of one topic (an unsubscribe link, a provider's unsubscribe) at
   * `at`: never lost, never undone by an older opt-in. While the channel has
   * room (topicOptOutCap) the topic is kept; past it the whole channel is
   * opted out instead, with the reason — the customer receives fewer
   * messages, never more. Planned on the item as read and held to it
   * (topic-opt-outs.ts): two at once cannot both take the last place, and
   * neither is lost (the refused one reads again).
   */
  private async optOutOfTopic(
    userId: string,
    channel: Channel,
    topic: string,
    at: number,
  ): Promise<ConsentOutcome> {
    let key = userId;
    for (let attempt = 0; attempt < 3 + MAX_ALIAS_HOPS; attempt++) {
      const item = await this.rawItem(key);
      // A merged profile's consent lives on the profile it joined.
      if (item === undefined) return { noProfile: true };
      const target = aliasTarget(item);
      if (target !== undefined) {
        key = target;
        continue;
      }
      const b = new UpdateBuilder();
      const topicKey = attr.topic(channel, topic);
      const conditions = [keptAndOwn(b)];
      let outcome: ConsentOutcome = {};
      if (isTopicOptOut(item[topicKey]) || hasRoom(optOutCounts(item), channel)) {
        const writes: [string, unknown][] = [
          [topicKey, false],
          [attr.topicsAt(channel), topicsTimeAfterOptOut(item, channel, at)],
        ];
        for (const [name, value] of writes) b.set(name, value);
        conditions.push(...guardOptOuts(b, { version: optOutVersion(item), writes }));
      } else {
        const reason = `unsubscribed from ${topic}, past the ${topicOptOutCap(channel)} topics a profile keeps opted out of on ${channel}`;
        conditions.push(...writeChannelChange(b, { channel, status: 'unsubscribed', reason }, at, { item }));
        outcome = { channelInstead: reason };
      }
      if (await this.tryWrite(key, b, conditions.join(' AND '))) return outcome;
    }
    throw new Error(`profile ${userId}: the opt-out of a topic could not be recorded after 3 attempts`);
  }
}

/**
 * What a consent change did: `channelInstead`, the reason, when a topic
 * opt-out opted out of the channel; `noProfile` when no profile is kept for
 * the id (an erased customer's link): nothing was written; `notNewer` when
 * an opt-in was no newer than the last change kept, and was not applied.
 */
export type ConsentOutcome = { channelInstead?: string; noProfile?: true; notNewer?: true };

/**
 * The condition of a consent write: the profile is kept, and is not merged
 * into another. A consent change never creates a profile: one for an erased
 * customer would store their id again, holding nothing but a preference.
 */
function keptAndOwn(b: UpdateBuilder): string {
  return `attribute_exists(${b.name('userId')}) AND attribute_not_exists(${b.name(profileKeys.aliasOf)})`;
}
