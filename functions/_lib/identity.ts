import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItem, updateItem } from '#functions/_lib/clients/document-calls.ts';
import { hex128 } from '#shared/hash.ts';
import { profileKeys } from '#shared/tables.ts';
import { isConditionFailed, UpdateBuilder } from './expression.ts';
import { aliasDepth, aliasState, aliasTarget, MAX_ALIAS_HOPS } from './identity-item.ts';
import { isMergedAttribute, MERGE_BATCH, mergeBatch, mergedAttributes } from './identity-merge.ts';
import { REMOVE_BATCH } from './profile-compaction.ts';
import { attr } from './profile-item.ts';

/**
 * Merges one profile into another (identify with both ids, alias), once,
 * with single-item writes only:
 *
 * 1. claim: the merged item gets `aliasOf` — from then on ingest sends its
 *    events to the known profile, so what it holds no longer changes;
 * 2. copy: its parts are written into the known profile in batches (rules
 *    in identity-merge.ts), each batch marked on the known item with a digest
 *    in a small fixed ring, so a batch repeated after a crash is not added twice;
 * 3. mark: the known profile names the merged key (`mk:<key>`, for a
 *    year), so the enrollments still running under it see the known
 *    customer's goal, exit and awaited events (functions/ingest);
 * 4. reduce: the copied parts are removed from the merged item, which is
 *    then `merged` and stays as the alias (see shared/tables.ts).
 *
 * A redelivered or repeated call finds the claim and does no more than
 * finish what a crash interrupted. An id already merged into a different
 * customer stays there (the first identify wins).
 */

/** Slots of the merge guard on the known item (`mg:<n>`): a crash window only ever has a few merges in flight. */
const GUARD_SLOTS = 4;
const ATTEMPTS = 3;

export type MergeOutcome =
  | {
      status: 'merged';
      into: string;
      copied: number;
      /** Channels opted out of as a whole, each with the reason: the merged topic opt-outs were past the cap. */
      channelsInstead: string[];
    }
  | { status: 'already'; into: string }
  | { status: 'kept'; into: string }
  | { status: 'refused'; reason: string };

function guardOf(fromKey: string, batch: number): { slot: string; digest: string } {
  const digest = hex128(`${fromKey}#${batch}`).slice(0, 16);
  return { slot: `mg:${Number.parseInt(digest.slice(0, 8), 16) % GUARD_SLOTS}`, digest };
}

export class ProfileIdentities {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date,
  ) {}

  private async item(key: string): Promise<Record<string, unknown> | undefined> {
    const out = await getItem(this.db, { TableName: this.table, Key: { userId: key }, ConsistentRead: true });
    return out.Item;
  }

  private async write(key: string, b: UpdateBuilder, condition: string, returnNew = false) {
    try {
      const out = await updateItem(this.db, {
        TableName: this.table,
        Key: { userId: key },
        UpdateExpression: b.expression(),
        ConditionExpression: condition,
        ...b.attributes(),
        ...(returnNew ? { ReturnValues: 'ALL_NEW' as const } : {}),
      });
      return out.Attributes ?? {};
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  /** What is stored under a key: nothing, an alias of another profile, or a profile of its own. */
  async standing(key: string): Promise<'none' | 'alias' | 'profile'> {
    const item = await this.item(key);
    if (item === undefined) return 'none';
    return aliasTarget(item) === undefined ? 'profile' : 'alias';
  }

  /** The profile a key stands for now: itself, or the end of its alias chain. */
  async resolve(key: string): Promise<string> {
    let current = key;
    for (let hop = 0; hop < MAX_ALIAS_HOPS; hop++) {
      const next = aliasTarget(await this.item(current));
      if (next === undefined) return current;
      current = next;
    }
    return current;
  }

  /** Merges the profile at `fromKey` into the one `intoKey` stands for (idempotent). */
  async merge(fromKey: string, intoKey: string): Promise<MergeOutcome> {
    const into = await this.resolve(intoKey);
    if (into === fromKey) {
      if (fromKey === intoKey) return { status: 'already', into };
      return { status: 'refused', reason: `${intoKey} is already merged into ${fromKey}` };
    }
    const claimed = await this.claim(fromKey, into);
    if (claimed === undefined) {
      const current = await this.item(fromKey);
      if (aliasTarget(current) === undefined && aliasDepth(current) >= MAX_ALIAS_HOPS) {
        const reason = `${fromKey} ends a chain of ${MAX_ALIAS_HOPS} merged ids (ids aliased one to the next), the most a profile keeps: merging it further is refused, so that each of those ids still finds its profile`;
        return { status: 'refused', reason };
      }
      const existing = aliasTarget(current) ?? into;
      const chainEnd = await this.resolve(existing);
      if (chainEnd === into && aliasState(current) === 'merged') return { status: 'already', into };
      // A merge into a profile that joined this one's target since: it is finished along the chain.
      if (chainEnd === into && current !== undefined && aliasState(current) === 'merging') {
        return this.copyAll(fromKey, existing, current, into);
      }
      return { status: 'kept', into: chainEnd };
    }
    if (aliasState(claimed) === 'merged') return { status: 'already', into };
    return this.copyAll(fromKey, into, claimed, into);
  }

  /** Copies the claimed item to `claimedInto` (or where it has joined since), then reduces it. */
  private async copyAll(
    fromKey: string,
    claimedInto: string,
    claimed: Readonly<Record<string, unknown>>,
    into: string,
  ): Promise<MergeOutcome> {
    const keys = mergedAttributes(claimed);
    const channelsInstead: string[] = [];
    for (let start = 0, batch = 0; start < keys.length; start += MERGE_BATCH, batch++) {
      const slice = keys.slice(start, start + MERGE_BATCH);
      channelsInstead.push(...(await this.copyBatch(fromKey, claimedInto, batch, slice, claimed)));
    }
    const marked = await this.markMerged(fromKey, claimedInto);
    if (marked !== undefined) await this.deepen(marked, aliasDepth(claimed) + 1);
    await this.reduce(fromKey, claimedInto, claimed);
    return { status: 'merged', into, copied: keys.length, channelsInstead };
  }

  /**
   * Names the merged key on the profile it joined (or where that has joined since); again is harmless.
   * Returns the key it marked, or undefined when that profile is gone.
   */
  private async markMerged(fromKey: string, start: string): Promise<string | undefined> {
    let into = start;
    for (let attempt = 0; attempt < ATTEMPTS + MAX_ALIAS_HOPS; attempt++) {
      const b = new UpdateBuilder().set(attr.mergedKey(fromKey), this.now().getTime());
      // Only on a profile that exists and has not joined another: an alias item keeps no marks.
      const condition = `attribute_exists(${b.name('userId')}) AND attribute_not_exists(${b.name(profileKeys.aliasOf)})`;
      if ((await this.write(into, b, condition)) !== undefined) return into;
      const target = await this.item(into);
      if (target === undefined) return undefined;
      into = aliasTarget(target) ?? into;
    }
    throw new Error(`identity: marking ${fromKey} on ${into} kept conflicting with other writes`);
  }

  /**
   * Raises the chain depth recorded on the profile `key` to `depth` (it only grows), following
   * it to where it has joined since, one hop deeper there.
   */
  private async deepen(key: string, depth: number): Promise<void> {
    let into = key;
    let wanted = depth;
    for (let attempt = 0; attempt < ATTEMPTS + MAX_ALIAS_HOPS; attempt++) {
      const b = new UpdateBuilder().set(profileKeys.aliasDepth, wanted);
      const recorded = b.name(profileKeys.aliasDepth);
      // Only upwards, on a profile that has not joined another (there the chain goes on).
      const condition = `attribute_exists(${b.name('userId')}) AND attribute_not_exists(${b.name(profileKeys.aliasOf)}) AND (attribute_not_exists(${recorded}) OR ${recorded} < ${b.value(wanted)})`;
      if ((await this.write(into, b, condition)) !== undefined) return;
      const next = aliasTarget(await this.item(into));
      if (next === undefined) return;
      into = next;
      wanted += 1;
    }
  }

  /** Marks `fromKey` as merged into `into`; the item as it now is, or `undefined` if it joined another or ends a chain too long. */
  private async claim(fromKey: string, into: string) {
    const b = new UpdateBuilder()
      .set(profileKeys.aliasOf, into)
      .setIfAbsent(profileKeys.aliasState, 'merging');
    const alias = b.name(profileKeys.aliasOf);
    const depth = b.name(profileKeys.aliasDepth);
    // The first merge of an id wins; repeating the same one finds its own claim. A profile at the end of
    // a chain MAX_ALIAS_HOPS long joins nothing: the ids at its start would be one hop too far.
    const fresh = `attribute_not_exists(${alias}) AND (attribute_not_exists(${depth}) OR ${depth} < ${b.value(MAX_ALIAS_HOPS)})`;
    const condition = `(${fresh}) OR ${alias} = ${b.value(into)}`;
    return this.write(fromKey, b, condition, true);
  }

  private async copyBatch(
    fromKey: string,
    start: string,
    batch: number,
    keys: readonly string[],
    from: Readonly<Record<string, unknown>>,
  ): Promise<string[]> {
    const guard = guardOf(fromKey, batch);
    let into = start;
    // Each hop along an alias chain takes a read, conflicting writes an attempt each.
    for (let attempt = 0; attempt < ATTEMPTS + MAX_ALIAS_HOPS; attempt++) {
      const target = await this.item(into);
      // Copied before a crash: what it did was reported then.
      if (target?.[guard.slot] === guard.digest) return [];
      // The target joined another profile meanwhile: what it held (batches copied before) went
      // there with it, and the batches still to copy follow.
      const next = aliasTarget(target);
      if (next !== undefined) {
        into = next;
        continue;
      }
      const b = new UpdateBuilder();
      const { conditions, channelsInstead } = mergeBatch(b, keys, from, target, this.now());
      const slot = b.name(guard.slot);
      b.set(guard.slot, guard.digest);
      conditions.push(`(attribute_not_exists(${slot}) OR ${slot} <> ${b.value(guard.digest)})`);
      conditions.push(`attribute_not_exists(${b.name(profileKeys.aliasOf)})`);
      if ((await this.write(into, b, conditions.join(' AND '))) !== undefined) return channelsInstead;
    }
    throw new Error(`identity: merging ${fromKey} into ${into} kept conflicting with other writes`);
  }

  /** Removes the copied parts from the merged item, then marks it merged. */
  private async reduce(fromKey: string, into: string, from: Readonly<Record<string, unknown>>) {
    const removed = Object.keys(from).filter(isMergedAttribute);
    for (let start = 0; start < removed.length || start === 0; start += REMOVE_BATCH) {
      const last = start + REMOVE_BATCH >= removed.length;
      const b = new UpdateBuilder();
      for (const key of removed.slice(start, start + REMOVE_BATCH)) b.remove(key);
      if (last) b.set(profileKeys.aliasState, 'merged');
      const alias = b.name(profileKeys.aliasOf);
      await this.write(fromKey, b, `${alias} = ${b.value(into)}`);
    }
  }
}
