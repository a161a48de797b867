import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { aliasTarget } from '#functions/_lib/identity-item.ts';
import { readProfileItem } from '#functions/_lib/profile-item.ts';
import type { ProfileState } from '#shared/profile/state.ts';

export type ScanPage = { profiles: ProfileState[]; cursor?: Record<string, unknown> };

/**
 * One page of one parallel-Scan segment of the profiles table, each item read
 * as ingest reads it. Eventually consistent: a segment run is a snapshot, and
 * the enrollment write re-checks re-entry on the item itself.
 */
export async function scanProfiles(
  db: DynamoDBDocumentClient,
  table: string,
  page: { segment: number; totalSegments: number; cursor?: Record<string, unknown>; limit: number },
): Promise<ScanPage> {
  const out = await db.send(
    new ScanCommand({
      TableName: table,
      Segment: page.segment,
      TotalSegments: page.totalSegments,
      Limit: page.limit,
      ...(page.cursor === undefined ? {} : { ExclusiveStartKey: page.cursor }),
    }),
  );
  // An alias item (an anonymous id merged into a customer) is not a customer of its own: entering
  // it too would send the merged customer each message twice, once under each key.
  const profiles = (out.Items ?? []).flatMap((item) =>
    typeof item.userId === 'string' && aliasTarget(item) === undefined
      ? [readProfileItem(item.userId, item)]
      : [],
  );
  return { profiles, ...(out.LastEvaluatedKey === undefined ? {} : { cursor: out.LastEvaluatedKey }) };
}
