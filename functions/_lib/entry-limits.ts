import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItem, putItem } from '#functions/_lib/clients/document-calls.ts';
import { CountedEntry, judgeEntry } from '#shared/journey/entry/entries.ts';
import type { EntryLimit } from '#shared/journey/entry/limits.ts';
import { enrollmentKeys } from '#shared/tables.ts';
import { addDuration, entryWindowStart } from '#shared/time.ts';
import * as z from '#shared/zod.ts';
import { isConditionFailed, refusedItem } from './expression.ts';

/**
 * The entries of a customer counted against a journey's `trigger.limit`: one
 * item per (customer, journey) in the enrollments table, holding at most
 * `max` entries of the current window and expiring one window after the last.
 * Written with optimistic concurrency on a revision number, so two events of
 * the same customer arriving together cannot both take the last place.
 */

const LimitItem = z.object({
  entries: z._default(z.array(CountedEntry), []),
  rev: z._default(z.number().check(z.int()), 0),
});

/** Attempts before giving up on a contended record (the event is then retried by EventBridge). */
const ATTEMPTS = 5;

export type LimitClaim = 'entered' | 'refused';

/** A trigger's limit with the journey's zone, whose calendar a window of days also counts on. */
export type JourneyLimit = EntryLimit & { zone: string };

export class EntryLimitRecords {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Counts an entry when the limit has room; a redelivery of a counted entry is let through again.
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
    const now = new Date(entry.at);
    const window = {
      id: entry.id,
      now: now.getTime(),
      windowStart: entryWindowStart(now, limit.per, limit.zone).getTime(),
      windowEnd: addDuration(now, limit.per).getTime(),
    };
    const earlier: CountedEntry[] = [];
    for (const key of merged) earlier.push(...(await this.read(key, journeyId)).entries);
    // Most customers have no record yet (none, or it expired a window after their last entry): the
    // first attempt writes as if the read had found none, on the condition that there is none. A
    // refusal returns the record (the read that follows otherwise, on a store that does not).
    let seen: LimitRecord | undefined;
    const first = judgeEntry(distinct(earlier), window, limit);
    if (first.status === 'counted') {
      const { entries, expiresAt } = first;
      const written = await this.write(userId, journeyId, undefined, { entries, expiresAt });
      if (written === true) return 'entered';
      seen = written.refused;
    }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = seen ?? (await this.read(userId, journeyId));
      seen = undefined;
      const decision = judgeEntry(distinct([...earlier, ...current.entries]), window, limit);
      if (decision.status === 'again') return 'entered';
      if (decision.status === 'refused') return 'refused';
      const written = await this.write(userId, journeyId, current.rev, {
        entries: decision.entries,
        expiresAt: decision.expiresAt,
      });
      if (written === true) return 'entered';
      seen = written.refused;
    }
    throw new Error(`entry limit record of ${journeyId} kept changing: try again`);
  }

  /**
   * True when the customer's entries and those of the profiles merged into it (`merged`) fill the
   * limit for an entry at `at`: what a segment run checks for a customer with merged ids when it
   * scans, since its enroll items carry only the customer's key.
   */
  async full(
    userId: string,
    journeyId: string,
    at: string,
    limit: JourneyLimit,
    merged: readonly string[],
  ): Promise<boolean> {
    if (merged.length === 0) return false;
    const now = new Date(at);
    const entries: CountedEntry[] = [];
    for (const key of [userId, ...merged]) entries.push(...(await this.read(key, journeyId)).entries);
    const window = {
      id: '',
      now: now.getTime(),
      windowStart: entryWindowStart(now, limit.per, limit.zone).getTime(),
    };
    return judgeEntry(distinct(entries), { ...window, windowEnd: window.now }, limit).status === 'refused';
  }

  /** Gives back an entry's place (the enrollment did not start after all, e.g. re-entry refused it). */
  async release(userId: string, journeyId: string, id: string): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await this.read(userId, journeyId);
      if (!current.entries.some((e) => e.id === id)) return;
      const entries = current.entries.filter((e) => e.id !== id);
      const expiresAt = current.expiresAt;
      if ((await this.write(userId, journeyId, current.rev, { entries, expiresAt })) === true) return;
    }
    throw new Error(`entry limit record of ${journeyId} kept changing: try again`);
  }

  private async read(userId: string, journeyId: string): Promise<LimitRecord> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { userId, sk: enrollmentKeys.entryLimit(journeyId) },
      ConsistentRead: true,
    });
    return limitRecord(out.Item);
  }

  /**
   * Replaces the record as it was read (`rev`; undefined: there was none). True when written; when
   * refused, the record the refusal saw if the store returned it (`refusedItem`), for the next attempt.
   */
  private async write(
    userId: string,
    journeyId: string,
    rev: number | undefined,
    next: { entries: CountedEntry[]; expiresAt: number },
  ): Promise<true | { refused: LimitRecord | undefined }> {
    try {
      await putItem(this.db, {
        TableName: this.table,
        Item: { userId, sk: enrollmentKeys.entryLimit(journeyId), ...next, rev: (rev ?? 0) + 1 },
        // The record is replaced only as it was read: a concurrent entry makes this one read again.
        ConditionExpression:
          rev === undefined
            ? 'attribute_not_exists(sk)'
            : rev === 0
              ? 'attribute_not_exists(sk) OR #rev = :rev'
              : '#rev = :rev',
        ...(rev === undefined
          ? {}
          : { ExpressionAttributeNames: { '#rev': 'rev' }, ExpressionAttributeValues: { ':rev': rev } }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return true;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const item = refusedItem(error);
      return { refused: item === undefined ? undefined : limitRecord(item) };
    }
  }
}

type LimitRecord = { entries: CountedEntry[]; rev: number; expiresAt: number };

function limitRecord(item: Record<string, unknown> | undefined): LimitRecord {
  const parsed = LimitItem.safeParse(item ?? {});
  const expiresAt = typeof item?.expiresAt === 'number' ? item.expiresAt : 0;
  return parsed.success ? { ...parsed.data, expiresAt } : { entries: [], rev: 0, expiresAt };
}

/** Entries by their enrollment id, once each (a merged one may be in the customer's record already). */
function distinct(entries: readonly CountedEntry[]): CountedEntry[] {
  const byId = new Map<string, CountedEntry>();
  for (const entry of entries) byId.set(entry.id, entry);
  return [...byId.values()];
}
