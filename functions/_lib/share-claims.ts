import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  deleteItem,
  getItem,
  putItem,
  queryItems,
  updateItem,
} from '#functions/_lib/clients/document-calls.ts';
import type { ShareHolder } from '#shared/ingest/profile-share.ts';
import * as z from '#shared/zod.ts';
import { isConditionFailed } from './expression.ts';

/**
 * The event names each journey takes of the profile's share
 * (shared/ingest/profile-share.ts), registered at deploy so that two deploys
 * at once cannot both take the last places. In the journeys table, under a
 * key no journey id can have (ids are lowercase letters, digits and dashes):
 * one claim item per journey that is not archived, and a version that every
 * registration moves on.
 *
 * A deploy reads the version, then the claims, checks, writes its own claim
 * and moves the version on, on the condition that it has not moved since it
 * was read; when it has, it reads and checks again. Of two deploys that both
 * succeed, the later one read the version after the earlier one moved it, so
 * after the earlier claim was written: it was checked against it.
 */

const SHARE_KEY = '#profile-share';
const VERSION_SK = 'version';
const CLAIM_PREFIX = 'claim#';

const Claim = z.object({
  journeyId: z.string(),
  counts: z.array(z.string()),
  awaits: z.array(z.string()),
});

/** The names a journey takes of the profile's share. */
export type ShareClaim = z.infer<typeof Claim>;

export class ShareClaims {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The version of the registrations (0 before the first). */
  async version(): Promise<number> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { journeyId: SHARE_KEY, sk: VERSION_SK },
      ConsistentRead: true,
    });
    const v = out.Item?.v;
    return typeof v === 'number' ? v : 0;
  }

  /** Every journey's claim, read strongly consistent; keyed by journey id. */
  async claims(): Promise<Map<string, ShareHolder>> {
    const claims = new Map<string, ShareHolder>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await queryItems(this.db, {
        TableName: this.table,
        KeyConditionExpression: 'journeyId = :share AND begins_with(sk, :claim)',
        ExpressionAttributeValues: { ':share': SHARE_KEY, ':claim': CLAIM_PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      });
      for (const item of page.Items ?? []) {
        const parsed = Claim.safeParse({ ...item, journeyId: String(item.sk).slice(CLAIM_PREFIX.length) });
        if (parsed.success) claims.set(parsed.data.journeyId, { ...parsed.data, status: 'active' });
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return claims;
  }

  /** Writes a journey's claim (replacing the one it had). */
  async put(claim: ShareClaim): Promise<void> {
    await putItem(this.db, {
      TableName: this.table,
      Item: {
        journeyId: SHARE_KEY,
        sk: `${CLAIM_PREFIX}${claim.journeyId}`,
        counts: claim.counts,
        awaits: claim.awaits,
      },
    });
  }

  /** Removes a journey's claim: it takes nothing (archived, or refused before it ever went live). */
  async release(journeyId: string): Promise<void> {
    await deleteItem(this.db, {
      TableName: this.table,
      Key: { journeyId: SHARE_KEY, sk: `${CLAIM_PREFIX}${journeyId}` },
    });
  }

  /** Moves the version on from `read`; false when another registration moved it first. */
  async advance(read: number): Promise<boolean> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { journeyId: SHARE_KEY, sk: VERSION_SK },
        UpdateExpression: 'SET v = :next',
        // Only from the version the check read: a registration since means checking again.
        ...(read === 0
          ? { ConditionExpression: 'attribute_not_exists(v)', ExpressionAttributeValues: { ':next': 1 } }
          : {
              ConditionExpression: 'v = :read',
              ExpressionAttributeValues: { ':next': read + 1, ':read': read },
            }),
      });
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
