import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryItems } from '#functions/_lib/clients/document-calls.ts';
import { Waiter } from '#shared/profile/state.ts';
import { enrollmentKeys } from '#shared/tables.ts';
import { OutcomeWaiter } from './outcome-waiters.ts';

/** What an enrollment leaves waiting: steps waiting for an event, and message steps waiting for their outcome. */
export type Waiting = { waiters: Waiter[]; outcomes: OutcomeWaiter[] };

/** A waiting step as stored; undefined when the item is not one this code can read. */
export function waiterOf(item: Record<string, unknown>): Waiter | undefined {
  // The table's TTL attribute is `expiresAt` (epoch seconds); the waiter's own timeout is stored as `timeoutAt`.
  return Waiter.safeParse({ ...item, expiresAt: item.timeoutAt }).data;
}

/**
 * Every step one enrollment of a customer leaves waiting, of both kinds, in
 * one query: their sort keys bound a range (`waitingRange`) that holds only
 * them and the customer's re-entry records, and a customer has few of each.
 */
export async function waitingOf(
  db: DynamoDBDocumentClient,
  table: string,
  userId: string,
  enrollmentId: string,
): Promise<Waiting> {
  const waiting: Waiting = { waiters: [], outcomes: [] };
  let start: Record<string, unknown> | undefined;
  do {
    const out = await queryItems(db, {
      TableName: table,
      KeyConditionExpression: 'userId = :u AND sk BETWEEN :from AND :to',
      FilterExpression: '#enrollment = :e',
      ExpressionAttributeNames: { '#enrollment': 'enrollmentId' },
      ExpressionAttributeValues: {
        ':u': userId,
        ':from': enrollmentKeys.waitingRange.from,
        ':to': enrollmentKeys.waitingRange.to,
        ':e': enrollmentId,
      },
      ConsistentRead: true,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    for (const item of out.Items ?? []) add(waiting, item);
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return waiting;
}

function add(waiting: Waiting, item: Record<string, unknown>): void {
  const sk = typeof item.sk === 'string' ? item.sk : '';
  if (sk.startsWith(enrollmentKeys.waiterPrefix)) {
    const waiter = waiterOf(item);
    if (waiter !== undefined) waiting.waiters.push(waiter);
  } else if (sk.startsWith(enrollmentKeys.outcomeWaiterPrefix)) {
    const waiter = OutcomeWaiter.safeParse(item).data;
    if (waiter !== undefined) waiting.outcomes.push(waiter);
  }
}
