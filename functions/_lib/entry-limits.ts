import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItem, putItem, updateItem } from '#functions/_lib/clients/document-calls.ts';
import { dictionaryOf } from '#shared/dictionary.ts';
import { CountedEntry, judgeEntry } from '#shared/journey/entry/entries.ts';
import type { EntryLimit } from '#shared/journey/entry/limits.ts';
import { enrollmentKeys } from '#shared/tables.ts';
import { addDuration, entryWindowStart } from '#shared/time.ts';
import * as z from '#shared/zod.ts';
import { now as clockNow } from './clock.ts';
import { isConditionFailed, refusedItem } from './expression.ts';
import {
  countOf,
  type Refusal,
  type RefusalCount,
  readRefusals,
  refusalAttribute,
  refusalKeptUntil,
  refusalsKeptUntil,
  refusalsOver,
} from './limit-refusals.ts';

/**
 * The entries of a customer counted against a journey's `trigger.limit`: one
 * item per (customer, journey) in the enrollments table, holding at most
 * `max` entries of the current window and expiring one window after the last.
 * Written with optimistic concurrency on a revision number, so two events of
 * the same customer arriving together cannot both take the last place. The
 * entries it refused are kept too, until counted and a while after
 * (limit-refusals.ts): a refused entry stays refused, and counted once.
 */

const LimitItem = z.object({
  entries: z._default(z.array(CountedEntry), []),
  rev: z._default(z.number().check(z.int()), 0),
});

/** Attempts before giving up on a contended record (the event is then retried by EventBridge). */
const ATTEMPTS = 5;

/** Entered, or refused with how its skip is counted (limit-refusals.ts). */
export type LimitClaim = 'entered' | { refused: RefusalCount };

/** A trigger's limit with the journey's zone, whose calendar a window of days also counts on. */
export type JourneyLimit = EntryLimit & { zone: string };

export class EntryLimitRecords {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Counts an entry when the limit has room; a redelivery of a counted entry is let through again,
   * and one of a refused entry refused again (with its skip's count, once: limit-refusals.ts).
   * `merged`: the keys of profiles merged into the customer's (a visitor who signed in): their
   * entries count too, so a limit follows the person. Those records no longer change (events of a
   * merged key land on the profile it joined), so they are read once and the entries counted are
   * written into the customer's own record with the new one.
   */
  async claim(
    userId: string,
    journeyId: string,
    entry: { id: string; at: string },
    limit: JourneyLimit,
    merged: readonly string[] = [],
  ): Promise<LimitClaim> {
    const window = windowOf(entry, limit);
    const earlier: CountedEntry[] = [];
    for (const key of merged) earlier.push(...(await this.read(key, journeyId)).entries);
    // Most customers have no record yet (none, or it expired a window after their last entry): the
    // first attempt writes as if the read had found none, on the condition that there is none. A
    // refusal returns the record (the read that follows otherwise, on a store that does not).
    let seen: LimitRecord | undefined;
    const first = judgeEntry(distinct(earlier), window, limit);
    if (first.status === 'counted') {
      const written = await this.create(userId, journeyId, first);
      if (written === true) return 'entered';
      seen = written.refused;
    }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = seen ?? (await this.read(userId, journeyId));
      seen = undefined;
      const refusal = current.refused.get(refusalAttribute(entry.id));
      if (refusal !== undefined) return { refused: countOf(refusal) };
      const decision = judgeEntry(distinct([...earlier, ...current.entries]), window, limit);
      if (decision.status === 'again') return 'entered';
      if (decision.status === 'refused') return { refused: await this.refuse(userId, journeyId, entry.id) };
      const written = await this.replaceEntries(userId, journeyId, current, decision);
      if (written === true) return 'entered';
      seen = written.refused;
    }
    throw new Error(`entry limit record of ${journeyId} kept changing: try again`);
  }

  /**
   * Refuses an entry at `entry.at` when the customer's entries and those of the profiles merged
   * into it (`merged`) fill the limit, or when it was refused before: what a segment run checks for
   * a customer with merged ids when it scans, since its enroll items carry only the customer's key.
   * The refusal is kept on the customer's record, as `claim` keeps its own; false: room.
   */
  async refuseMerged(
    userId: string,
    journeyId: string,
    entry: { id: string; at: string },
    limit: JourneyLimit,
    merged: readonly string[],
  ): Promise<false | RefusalCount> {
    if (merged.length === 0) return false;
    const current = await this.read(userId, journeyId);
    const refusal = current.refused.get(refusalAttribute(entry.id));
    if (refusal !== undefined) return countOf(refusal);
    const entries = [...current.entries];
    for (const key of merged) entries.push(...(await this.read(key, journeyId)).entries);
    const window = { ...windowOf(entry, limit), id: '' };
    // Judged as the entry's claim would be, at its time.
    if (judgeEntry(distinct(entries), { ...window, windowEnd: window.now }, limit).status !== 'refused')
      return false;
    return this.refuse(userId, journeyId, entry.id);
  }

  /** Marks a refusal counted, in one write (no read): a refusal already gone needs nothing. */
  async settleRefusal(userId: string, journeyId: string, entryId: string): Promise<void> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: this.key(userId, journeyId),
        UpdateExpression: 'SET #r.#c = :true',
        ConditionExpression: 'attribute_exists(#r)',
        ExpressionAttributeNames: { '#r': refusalAttribute(entryId), '#c': 'counted' },
        ExpressionAttributeValues: { ':true': true },
      });
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /** Gives back an entry's place (the enrollment did not start after all, e.g. re-entry refused it). */
  async release(userId: string, journeyId: string, id: string): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await this.read(userId, journeyId);
      if (!current.entries.some((e) => e.id === id)) return;
      const entries = current.entries.filter((e) => e.id !== id);
      const next = { entries, expiresAt: current.expiresAt };
      if ((await this.replaceEntries(userId, journeyId, current, next)) === true) return;
    }
    throw new Error(`entry limit record of ${journeyId} kept changing: try again`);
  }

  /**
   * Writes the entry's refusal, unless there is one (then the earlier one's count is returned: a
   * refused entry stays refused). It keeps the record a week, unless it is kept longer already;
   * past the bound, the oldest refusals go (limit-refusals.ts).
   */
  private async refuse(userId: string, journeyId: string, entryId: string): Promise<RefusalCount> {
    const name = refusalAttribute(entryId);
    const at = clockNow().getTime();
    for (const keep of [true, false]) {
      const written = await this.tryWrite(
        userId,
        journeyId,
        name,
        { at },
        keep ? refusalKeptUntil(at) : undefined,
      );
      if ('item' in written) {
        await this.dropOver(userId, journeyId, written.item);
        return { pendingAt: at, retry: false };
      }
      const earlier = readRefusals(written.refused ?? (await this.readItem(userId, journeyId))).get(name);
      if (earlier !== undefined) return countOf(earlier);
    }
    throw new Error(`entry limit record of ${journeyId}: the refusal could not be written`);
  }

  /** One refusal's write, and the record's expiry moved to `expiresAt` when that is later. */
  private async tryWrite(
    userId: string,
    journeyId: string,
    name: string,
    refusal: { at: number },
    expiresAt: number | undefined,
  ): Promise<{ item: Record<string, unknown> } | { refused: Record<string, unknown> | undefined }> {
    const later = '(attribute_not_exists(#exp) OR #exp < :exp)';
    try {
      const out = await updateItem(this.db, {
        TableName: this.table,
        Key: this.key(userId, journeyId),
        UpdateExpression: expiresAt === undefined ? 'SET #r = :r' : 'SET #r = :r, #exp = :exp',
        ConditionExpression: `attribute_not_exists(#r)${expiresAt === undefined ? '' : ` AND ${later}`}`,
        ExpressionAttributeNames: { '#r': name, ...(expiresAt === undefined ? {} : { '#exp': 'expiresAt' }) },
        ExpressionAttributeValues: {
          ':r': refusal,
          ...(expiresAt === undefined ? {} : { ':exp': expiresAt }),
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return { item: out.Attributes ?? {} };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return { refused: refusedItem(error) };
    }
  }

  /** Removes the refusals past the bound (one write, only when there are). */
  private async dropOver(userId: string, journeyId: string, item: Record<string, unknown>) {
    const over = refusalsOver(item, { userId, journeyId });
    if (over.length === 0) return;
    const names = dictionaryOf(over.map((name, i) => [`#o${i}`, name]));
    await updateItem(this.db, {
      TableName: this.table,
      Key: this.key(userId, journeyId),
      UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
      ExpressionAttributeNames: names,
    });
  }

  private key(userId: string, journeyId: string) {
    return { userId, sk: enrollmentKeys.entryLimit(journeyId) };
  }

  private async readItem(userId: string, journeyId: string): Promise<Record<string, unknown> | undefined> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: this.key(userId, journeyId),
      ConsistentRead: true,
    });
    return out.Item;
  }

  private async read(userId: string, journeyId: string): Promise<LimitRecord> {
    return limitRecord(await this.readItem(userId, journeyId));
  }

  /**
   * The first entry of a customer with no record: written on the condition that there is none.
   * True when written; when refused, the record the refusal saw if the store returned it.
   */
  private async create(
    userId: string,
    journeyId: string,
    next: { entries: CountedEntry[]; expiresAt: number },
  ): Promise<true | { refused: LimitRecord | undefined }> {
    try {
      await putItem(this.db, {
        TableName: this.table,
        Item: { ...this.key(userId, journeyId), entries: next.entries, expiresAt: next.expiresAt, rev: 1 },
        ConditionExpression: 'attribute_not_exists(sk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return true;
    } catch (error) {
      return refusal(error);
    }
  }

  /**
   * Replaces the entries as they were read (`current.rev`), leaving the refusals as they are; the
   * record expires with its last entry's window, or later for its refusals' sake. True when
   * written; when refused, the record the refusal saw if the store returned it (`refusedItem`).
   */
  private async replaceEntries(
    userId: string,
    journeyId: string,
    current: LimitRecord,
    next: { entries: CountedEntry[]; expiresAt: number },
  ): Promise<true | { refused: LimitRecord | undefined }> {
    const expiresAt = Math.max(next.expiresAt, refusalsKeptUntil(current.refused));
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: this.key(userId, journeyId),
        UpdateExpression: 'SET #entries = :entries, #exp = :exp, #rev = :next',
        // Only as it was read: a concurrent entry makes this one read again. A record of refusals alone has no revision.
        ConditionExpression: current.rev === 0 ? 'attribute_not_exists(#rev)' : '#rev = :rev',
        ExpressionAttributeNames: { '#entries': 'entries', '#exp': 'expiresAt', '#rev': 'rev' },
        ExpressionAttributeValues: {
          ':entries': next.entries,
          ':exp': expiresAt,
          ':next': current.rev + 1,
          ...(current.rev === 0 ? {} : { ':rev': current.rev }),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return true;
    } catch (error) {
      return refusal(error);
    }
  }
}

/** A refused write's answer: the record the refusal saw, when the store returned it. */
function refusal(error: unknown): { refused: LimitRecord | undefined } {
  if (!isConditionFailed(error)) throw error;
  const item = refusedItem(error);
  return { refused: item === undefined ? undefined : limitRecord(item) };
}

type LimitRecord = { entries: CountedEntry[]; rev: number; expiresAt: number; refused: Map<string, Refusal> };

function limitRecord(item: Record<string, unknown> | undefined): LimitRecord {
  const parsed = LimitItem.safeParse(item ?? {});
  const expiresAt = typeof item?.expiresAt === 'number' ? item.expiresAt : 0;
  const refused = readRefusals(item);
  return parsed.success
    ? { ...parsed.data, expiresAt, refused }
    : { entries: [], rev: 0, expiresAt, refused };
}

/** The window an entry at `entry.at` is judged in. */
function windowOf(entry: { id: string; at: string }, limit: JourneyLimit) {
  const now = new Date(entry.at);
  return {
    id: entry.id,
    now: now.getTime(),
    windowStart: entryWindowStart(now, limit.per, limit.zone).getTime(),
    windowEnd: addDuration(now, limit.per).getTime(),
  };
}

/** Entries by their enrollment id, once each (a merged one may be in the customer's record already). */
function distinct(entries: readonly CountedEntry[]): CountedEntry[] {
  const byId = new Map<string, CountedEntry>();
  for (const entry of entries) byId.set(entry.id, entry);
  return [...byId.values()];
}
