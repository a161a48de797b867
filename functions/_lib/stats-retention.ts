import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItem, putItem, updateItem } from '#functions/_lib/clients/document-calls.ts';
import { RUNNING_AFTER_MS } from '#shared/ingest/live-journey.ts';
import { versionOfItem } from '#shared/stats/counter-sets.ts';
import * as z from '#shared/zod.ts';
import { isConditionFailed } from './expression.ts';
import { journeyStatsItems } from './stats-items.ts';

/**
 * How long a version's results are kept: a version's counters (its version
 * and step items, or one item per counter of the first layout) carry no
 * expiry while it is live. When it stops taking entries (a deploy replaces
 * it, or the journey is archived) they get one: a year and a day after its
 * last enrollment has ended at the latest (a Standard execution's year after
 * it stopped taking entries, as the registry keeps the version), and a year
 * and a day more to read its results. Day items expire on their own.
 *
 * Each retirement also notes the version and when its results expire on one
 * small item of the journey ({@link RETIRED_SK}, the last
 * {@link RETIRED_KEPT} retirements), so that a report tells results that
 * expired from results that were never counted.
 */

/** A year and a day, in seconds. */
const YEAR_AND_A_DAY_SECONDS = RUNNING_AFTER_MS / 1000;

/** When the results of a version that stops taking entries at `at` expire (epoch seconds). */
export function resultsExpireAt(at: Date): number {
  return Math.floor(at.getTime() / 1000) + 2 * YEAR_AND_A_DAY_SECONDS;
}

/** The item noting retirements; `=` and no `#`: never a counter set's, nor a first-layout counter's. */
export const RETIRED_SK = '=retired';
/** Retirements noted: as many as the registry's deploy history. */
const RETIRED_KEPT = 20;
/** Items given an expiry at most per retirement: a backlog (items from before expiries) goes over a few deploys. */
const RETIRE_PER_CALL = 500;

const Retired = z.object({ version: z.string(), expiresAt: z.number() });
export type Retired = z.infer<typeof Retired>;
const RetiredItem = z.object({ retired: z.array(Retired) });

export type RetireOptions = {
  /** The live version, which keeps its results (none when the journey is archived). */
  keep?: string;
  /** When the versions stopped taking entries. */
  at: Date;
};

/**
 * What a count for a version whose counter item is gone (or never was) may
 * do: `live`, create it without expiry; a number, create it with the expiry
 * of the retired version's results; `expired`, nothing (the version's results
 * expired: a new item would start them again, alone).
 */
export type VersionRetention = 'live' | 'expired' | number;

/**
 * `retired`: the note's list; `now`: epoch seconds. A version older than every
 * retirement a full note keeps was retired before all of them (the note keeps
 * the latest), so its results expire no later than the earliest expiry noted:
 * a late count creates its item with that expiry while it is ahead (a journey
 * edited more than 20 times still has enrollments of the versions the note
 * left out), and is dropped once it passed.
 */
export function retentionOf(retired: readonly Retired[], version: string, now: number): VersionRetention {
  const noted = retired.find((r) => r.version === version);
  if (noted !== undefined) return noted.expiresAt > now ? noted.expiresAt : 'expired';
  const oldest = Math.min(...retired.map((r) => Number(r.version)));
  const older = retired.length >= RETIRED_KEPT && Number(version) < oldest;
  if (!older) return 'live';
  const bound = Math.min(...retired.map((r) => r.expiresAt));
  return bound > now ? bound : 'expired';
}

export class StatsRetention {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Gives the counters of every version but `keep` that have none an expiry
   * ({@link resultsExpireAt}), and notes the versions retired. Returns the
   * versions it retired. The counters of `keep` lose an expiry an earlier
   * retirement gave them: a version taken live again (a rollback moves the
   * alias back; an unchanged redeploy of an archived journey gets its
   * version number again) keeps its results while it takes entries. Reads
   * the journey's kept items: counters and days.
   */
  async retire(journeyId: string, options: RetireOptions): Promise<string[]> {
    const expiresAt = resultsExpireAt(options.at);
    const versions = new Set<string>();
    let budget = RETIRE_PER_CALL;
    for await (const { pk, item } of journeyStatsItems(this.db, this.table, journeyId, 'sk, expiresAt')) {
      if (budget <= 0) break;
      const sk = typeof item.sk === 'string' ? item.sk : undefined;
      const version = sk === undefined ? undefined : versionOfItem(sk);
      if (sk === undefined || version === undefined) continue;
      const expiring = item.expiresAt !== undefined;
      if (version === options.keep ? !expiring : expiring) continue;
      budget -= 1;
      if (version === options.keep) {
        await this.keep(pk, sk);
        continue;
      }
      await this.expire(pk, sk, expiresAt);
      versions.add(version);
    }
    await this.note(journeyId, [...versions], expiresAt, options.keep);
    return [...versions];
  }

  /**
   * The versions retired lately and when their results expire, newest first:
   * a retired version of which no counter is left has had its results expire.
   */
  async retired(journeyId: string): Promise<Retired[]> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { pk: `${journeyId}#0`, sk: RETIRED_SK },
    });
    return RetiredItem.safeParse(out.Item).data?.retired ?? [];
  }

  private async expire(pk: string, sk: string, expiresAt: number): Promise<void> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { pk, sk },
        UpdateExpression: 'SET expiresAt = :at',
        // An item the TTL removed since the query is not written again; an expiry set meanwhile stays.
        ConditionExpression: 'attribute_exists(sk) AND attribute_not_exists(expiresAt)',
        ExpressionAttributeValues: { ':at': expiresAt },
      });
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  private async keep(pk: string, sk: string): Promise<void> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { pk, sk },
        UpdateExpression: 'REMOVE expiresAt',
        // An item the TTL removed since the query is not written again.
        ConditionExpression: 'attribute_exists(sk)',
      });
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /**
   * Notes the retirement, newest first and bounded; the note lives as long as the last results it tells of,
   * and a year. The live version (`keep`) leaves the note: taken live again, its late counts are kept.
   */
  private async note(journeyId: string, versions: string[], expiresAt: number, keep?: string): Promise<void> {
    const key = { pk: `${journeyId}#0`, sk: RETIRED_SK };
    const out = await getItem(this.db, { TableName: this.table, Key: key, ConsistentRead: true });
    const noted = RetiredItem.safeParse(out.Item).data?.retired ?? [];
    const before = noted.filter((r) => r.version !== keep);
    if (versions.length === 0 && before.length === noted.length) return;
    const added = versions.sort((a, b) => Number(b) - Number(a)).map((version) => ({ version, expiresAt }));
    const retired = [...added, ...before.filter((r) => !versions.includes(r.version))].slice(0, RETIRED_KEPT);
    await putItem(this.db, {
      TableName: this.table,
      Item: { ...key, retired, expiresAt: expiresAt + YEAR_AND_A_DAY_SECONDS },
    });
  }
}
