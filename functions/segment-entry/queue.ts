import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SegmentWork } from '#shared/segment/work.ts';

/** SQS takes at most 10 messages per batch. */
const SQS_BATCH = 10;

/** The longest delay SQS gives a message (15 minutes). */
export const MAX_DELAY_SECONDS = 900;

/**
 * Puts work items on the segment queue, visible after `delaySeconds` (a
 * paused run); throws when any is refused, so the caller's message is retried.
 */
export async function sendWork(
  sqs: SQSClient,
  queueUrl: string,
  items: readonly SegmentWork[],
  delaySeconds = 0,
): Promise<void> {
  for (let i = 0; i < items.length; i += SQS_BATCH) {
    const batch = items.slice(i, i + SQS_BATCH);
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((item, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(item),
          ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}),
        })),
      }),
    );
    const failed = out.Failed ?? [];
    if (failed.length > 0) {
      const codes = failed.map((f) => `${f.Id}:${f.Code}`).join(', ');
      throw new Error(`segment queue refused ${failed.length} of ${batch.length} items (${codes})`);
    }
  }
}
