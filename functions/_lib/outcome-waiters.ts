import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteItem, getItem, putItem } from '#functions/_lib/clients/document-calls.ts';
import { enrollmentKeys } from '#shared/tables.ts';
import type { OutcomeOutput } from '#shared/tasks/await-outcome.ts';
import { MessageOutcome } from '#shared/tasks/await-outcome.ts';
import * as z from '#shared/zod.ts';
import { isConditionFailed } from './expression.ts';
import { isAlreadyDone } from './sfn-errors.ts';

/**
 * Message steps waiting for their outcome: one item per message (customer +
 * `o#<provider message id>`) in the enrollments table, holding the task
 * token and the outcomes that resume it. Removed when it resumes, when its
 * window closes and when its execution ends (a goal or exit event stopped it
 * mid-wait); the TTL (window end plus a grace period) only catches what was
 * missed.
 */

const GRACE_SECONDS = 7 * 24 * 3600;

export const OutcomeWaiter = z.object({
  messageId: z.string(),
  enrollmentId: z.string(),
  journeyId: z.string(),
  stepId: z.string(),
  token: z.string(),
  outcomes: z.array(MessageOutcome),
  /** When the window closes. */
  until: z.string(),
});
export type OutcomeWaiter = z.infer<typeof OutcomeWaiter>;

export class OutcomeWaiters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(userId: string, waiter: OutcomeWaiter): Promise<void> {
    const expiresAt = Math.floor(Date.parse(waiter.until) / 1000) + GRACE_SECONDS;
    await putItem(this.db, {
      TableName: this.table,
      Item: { userId, sk: enrollmentKeys.outcomeWaiter(waiter.messageId), ...waiter, expiresAt },
    });
  }

  async get(userId: string, messageId: string): Promise<OutcomeWaiter | undefined> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { userId, sk: enrollmentKeys.outcomeWaiter(messageId) },
      ConsistentRead: true,
    });
    return OutcomeWaiter.safeParse(out.Item).data;
  }

  /** Removes the waiter; false when it was already gone (the other side resumed it). */
  async remove(userId: string, messageId: string): Promise<boolean> {
    try {
      await deleteItem(this.db, {
        TableName: this.table,
        Key: { userId, sk: enrollmentKeys.outcomeWaiter(messageId) },
        // Removed once: only the remover that finds it reports it.
        ConditionExpression: 'attribute_exists(sk)',
      });
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}

/** Resumes a waiting message step with its outcome; a token already used or expired is not an error. */
export async function resumeWithOutcome(sfn: SFNClient, token: string, output: OutcomeOutput): Promise<void> {
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  } catch (error) {
    if (!isAlreadyDone(error)) throw error;
  }
}
