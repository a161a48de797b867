import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  deleteItem,
  getItem,
  putItem,
  queryItems,
  updateItem,
} from '#functions/_lib/clients/document-calls.ts';
import { LiveJourney } from '#shared/ingest/live-journey.ts';
import * as z from '#shared/zod.ts';
import { logger } from './observability.ts';
import { ShareClaims } from './share-claims.ts';

/**
 * The journey registry. Per journey, `sk = "live"` holds what ingest needs
 * (LiveJourney) plus the deploy history: the last {@link HISTORY_LENGTH}
 * published versions with their source object versions. Earlier releases
 * also wrote one `sk = "v#<n>"` item per deploy, kept for good; a deploy
 * now removes those.
 *
 * The journeys are listed in a partition of their own, {@link DIRECTORY}
 * (one item per journey ever deployed, `sk` = its id), so listing them reads
 * what the live journeys need and not the table: the journeys' partitions
 * also hold pinned template snapshots, which grow with deploy history.
 */

export const VersionRecord = z.object({
  version: z.string(),
  versionArn: z.string(),
  sourceKey: z.string(),
  sourceVersionId: z.optional(z.string()),
  etag: z.optional(z.string()),
  deployedAt: z.string(),
});
export type VersionRecord = z.infer<typeof VersionRecord>;

export const RegistryEntry = z.extend(LiveJourney, {
  sourceKey: z.string(),
  sourceVersionId: z.optional(z.string()),
  deployedAt: z.string(),
  archivedAt: z.optional(z.string()),
  history: z._default(z.array(VersionRecord), []),
});
export type RegistryEntry = z.infer<typeof RegistryEntry>;

/** Versions kept in the history list of the live item: the deploy history, bounded. */
const HISTORY_LENGTH = 20;

export const LIVE_SK = 'live';
/** The sort-key prefix of the per-version items earlier releases wrote. */
const LEGACY_VERSION_PREFIX = 'v#';
/** Legacy version items a deploy removes at most: a journey deployed thousands of times is cleared over a few deploys. */
const LEGACY_DELETES_PER_DEPLOY = 100;

/** The directory's partition: a journey id never holds `#` (JOURNEY_ID), so no journey's partition is it. */
const DIRECTORY = '#journeys';
/** In the directory: every journey deployed before the directory existed has been copied into it. */
const DIRECTORY_COMPLETE = '#complete';
/** Live items read at once when listing. */
const LIST_CONCURRENCY = 16;

export class RegistryRepository {
  /** What each journey takes of the profile's share, registered at deploy. */
  readonly shares: ShareClaims;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    this.shares = new ShareClaims(db, table);
  }

  /**
   * Every journey's live item (ingest caches this for a short time): one
   * query of the directory and one read per journey, whatever the deploy
   * history. The first listing of a table written before the directory
   * existed scans it once and fills the directory.
   */
  async listLive(): Promise<RegistryEntry[]> {
    const listed = await this.directory();
    if (listed === undefined) return this.fillDirectory();
    const entries: RegistryEntry[] = [];
    for (let i = 0; i < listed.length; i += LIST_CONCURRENCY) {
      const reads = listed.slice(i, i + LIST_CONCURRENCY).map((id) => this.read(id, false));
      for (const item of await Promise.all(reads)) {
        // An id listed before its live item was written (its first deploy under way) is not live yet.
        const entry = item === undefined ? undefined : readable(item);
        if (entry !== undefined) entries.push(entry);
      }
    }
    return entries;
  }

  /** The ids in the directory, or `undefined` while it is not complete. */
  private async directory(): Promise<string[] | undefined> {
    const ids: string[] = [];
    let complete = false;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await queryItems(this.db, {
        TableName: this.table,
        KeyConditionExpression: 'journeyId = :directory',
        ExpressionAttributeValues: { ':directory': DIRECTORY },
        ProjectionExpression: 'sk',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      });
      for (const item of page.Items ?? []) {
        if (item.sk === DIRECTORY_COMPLETE) complete = true;
        else if (typeof item.sk === 'string') ids.push(item.sk);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return complete ? ids : undefined;
  }

  /** Lists the live items with a scan, as before the directory, and copies their ids into it. */
  private async fillDirectory(): Promise<RegistryEntry[]> {
    const entries: RegistryEntry[] = [];
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'sk = :live',
          ExpressionAttributeValues: { ':live': LIVE_SK },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const entry = readable(item);
        if (entry !== undefined) entries.push(entry);
        // Listed whether or not this release reads it: one that does lists it.
        if (typeof item.journeyId === 'string') ids.push(item.journeyId);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    for (const id of ids) await this.list(id);
    await this.list(DIRECTORY_COMPLETE);
    return entries;
  }

  /** Puts an id (or the completion mark) in the directory; again is harmless. */
  private async list(sk: string): Promise<void> {
    await putItem(this.db, { TableName: this.table, Item: { journeyId: DIRECTORY, sk } });
  }

  async get(journeyId: string): Promise<RegistryEntry | undefined> {
    const item = await this.read(journeyId, true);
    return item === undefined ? undefined : RegistryEntry.parse(item);
  }

  private async read(journeyId: string, consistent: boolean): Promise<Record<string, unknown> | undefined> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { journeyId, sk: LIVE_SK },
      ConsistentRead: consistent,
    });
    return out.Item;
  }

  /** Records a deployed version and makes it live. */
  async putDeployed(
    entry: Omit<RegistryEntry, 'history'>,
    previous: RegistryEntry | undefined,
  ): Promise<void> {
    const record: VersionRecord = {
      version: entry.version,
      versionArn: entry.versionArn,
      sourceKey: entry.sourceKey,
      sourceVersionId: entry.sourceVersionId,
      deployedAt: entry.deployedAt,
    };
    const history = [record, ...(previous?.history ?? []).filter((h) => h.version !== entry.version)].slice(
      0,
      HISTORY_LENGTH,
    );
    // Listed first: a live item is never missing from the directory.
    await this.list(entry.journeyId);
    await putItem(this.db, { TableName: this.table, Item: { ...entry, sk: LIVE_SK, history } });
    await this.removeLegacyVersions(entry.journeyId);
  }

  /**
   * Deletes per-version items an earlier release wrote, a page at a time: the
   * live item's history holds what they did. How many it deleted.
   */
  private async removeLegacyVersions(journeyId: string): Promise<number> {
    const out = await queryItems(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'journeyId = :id AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':id': journeyId, ':v': LEGACY_VERSION_PREFIX },
      ProjectionExpression: 'sk',
      Limit: LEGACY_DELETES_PER_DEPLOY,
    });
    const items = out.Items ?? [];
    for (const item of items)
      await deleteItem(this.db, { TableName: this.table, Key: { journeyId, sk: item.sk } });
    return items.length;
  }

  /**
   * Archives a journey: no new enrollments; running ones finish on their
   * version, reading what they need from the live item (its goal, exits,
   * earlier versions). The per-version items an earlier release wrote go:
   * nothing reads them, and no later deploy would remove them.
   */
  async archive(journeyId: string, at: string): Promise<boolean> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { journeyId, sk: LIVE_SK },
        UpdateExpression: 'SET #status = :archived, archivedAt = :at',
        ConditionExpression: 'attribute_exists(journeyId)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':archived': 'archived', ':at': at },
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
    let removed: number;
    do removed = await this.removeLegacyVersions(journeyId);
    while (removed > 0);
    return true;
  }
}

/**
 * A live item as this release reads it; undefined, and logged, when it
 * cannot (written by a later release, or damaged): the journey is left out
 * of the listing, so its triggers enter no one until a release that reads it
 * is deployed. Logged with the fields it could not read, never their values.
 */
function readable(item: Record<string, unknown>): RegistryEntry | undefined {
  const parsed = RegistryEntry.safeParse(item);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '(item)')))];
  logger.error("a journey's registry item cannot be read: its triggers enter no one", {
    journeyId: item.journeyId,
    fields,
  });
  return undefined;
}

/** Caches the live registry in memory for a short time: the ingest hot path reads no table. */
export class CachedRegistry {
  private cached: { at: number; entries: Promise<RegistryEntry[]> } | undefined;

  constructor(
    private readonly repository: RegistryRepository,
    private readonly ttlMs = 30_000,
    private readonly clock: () => number = Date.now,
  ) {}

  async live(): Promise<RegistryEntry[]> {
    const now = this.clock();
    if (this.cached === undefined || now - this.cached.at >= this.ttlMs) {
      const entries = this.repository.listLive();
      this.cached = { at: now, entries };
      // A failed load must not be cached: the next event retries it.
      entries.catch(() => {
        if (this.cached?.entries === entries) this.cached = undefined;
      });
    }
    return this.cached.entries;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
