import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { noneSkipped, type SkipCounts, skipsFrom } from '#shared/segment/skips.ts';
import { isConditionFailure, type RunKey, runExpiry, runKey } from './run-record.ts';

/**
 * What a Scan page was found to hold the first time it was read: how many
 * profiles, whom it matched, whom it turned away (by reason), and where the
 * next page starts. Kept
 * (`<run id>#page#<segment>#<page>`, expiring with the run's record) so that
 * every later attempt at the page — a retry after a crash, a second consumer
 * at the same moment — queues the same enroll items under the same numbers
 * and the same next page, whatever changed in the profiles meanwhile: two
 * versions of a page would give two items one number, or leave a customer
 * between two pages.
 */
export type PageRead = {
  scanned: number;
  userIds: string[];
  /** Its profiles in the segment the run turned away, by reason (absent on a page kept by an earlier release: none). */
  skipped?: SkipCounts;
  cursor?: Record<string, unknown>;
};

export type PageKey = { segment: number; page: number };

/** Pages are zero-padded so a segment's pages sort in order. */
const PAGE_DIGITS = 9;

export class ScanPages {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(run: RunKey, page: PageKey) {
    return {
      pk: runKey(run).pk,
      sk: `${run.runId}#page#${page.segment}#${String(page.page).padStart(PAGE_DIGITS, '0')}`,
    };
  }

  /** Keeps a page as read unless an earlier read was kept: the kept one. */
  async keep(run: RunKey, page: PageKey, read: PageRead): Promise<PageRead> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.key(run, page),
            scanned: read.scanned,
            userIds: read.userIds,
            ...(read.skipped === undefined || noneSkipped(read.skipped) ? {} : { skipped: read.skipped }),
            ...(read.cursor === undefined ? {} : { cursor: read.cursor }),
            expiresAt: runExpiry(run),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return read;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    return (await this.kept(run, page)) ?? read;
  }

  /** The page as first read, when it was kept. */
  async kept(run: RunKey, page: PageKey): Promise<PageRead | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: this.key(run, page), ConsistentRead: true }),
    );
    const item = out.Item;
    if (item === undefined) return undefined;
    const userIds = Array.isArray(item.userIds) ? item.userIds.filter((id) => typeof id === 'string') : [];
    const cursor = typeof item.cursor === 'object' && item.cursor !== null ? item.cursor : undefined;
    return {
      scanned: typeof item.scanned === 'number' ? item.scanned : 0,
      userIds,
      skipped: skipsFrom(item.skipped),
      ...(cursor && { cursor }),
    };
  }
}
