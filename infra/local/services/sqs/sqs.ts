import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import * as z from 'zod';
import { CappedLog } from '../../runtime/capped-log.ts';
import { AwsApiError, createAwsJsonServer } from '../../runtime/http.ts';
import { DEFAULT_RETENTION } from '../../runtime/options.ts';
import type { QueueWorker } from '../../runtime/queue-worker.ts';

const SendMessage = z.object({
  QueueUrl: z.string(),
  MessageBody: z.string().min(1),
  MessageAttributes: z.record(z.string(), z.unknown()).optional(),
});
const SendMessageBatch = z.object({
  QueueUrl: z.string(),
  Entries: z
    .array(z.object({ Id: z.string(), MessageBody: z.string().min(1) }))
    .min(1)
    .max(10),
});

/** The file a local queue's messages are kept in (`dir` is the data directory's `queues`). */
export function queueFile(dir: string, name: string): string {
  return join(dir, `${name}.jsonl`);
}

/**
 * SQS on loopback (AWS JSON 1.0, `AmazonSQS.*`): SendMessage and
 * SendMessageBatch append to one JSON-lines file per queue under `dir` (a
 * capped log: the newest messages within `maxBytes`), or, for a queue with a
 * worker (a queue a function consumes), hand the message to that worker.
 * A kept message is stamped with `now()`: journey time under the runtime.
 */
export function createSqsServer(
  dir: string,
  queueNames: readonly string[],
  {
    workers = [],
    maxBytes = DEFAULT_RETENTION.logBytes,
    now = () => new Date(),
  }: { workers?: readonly QueueWorker[]; maxBytes?: number; now?: () => Date } = {},
): Server {
  const files = new Map(queueNames.map((name) => [name, new CappedLog(queueFile(dir, name), maxBytes)]));
  const store = async (queueUrl: string, body: string) => {
    const name = queueUrl.split('/').at(-1) ?? '';
    const worker = workers.find((w) => w.name === name);
    if (!queueNames.includes(name) && worker === undefined) {
      throw new AwsApiError('AWS.SimpleQueueService.NonExistentQueue', `The queue ${name} does not exist.`);
    }
    const MessageId = worker?.send(body) ?? randomUUID();
    if (worker === undefined) await files.get(name)?.append({ MessageId, sentAt: now().toISOString(), body });
    // The SDK checks this digest against the body it sent.
    return { MessageId, MD5OfMessageBody: createHash('md5').update(body).digest('hex') };
  };
  return createAwsJsonServer('AmazonSQS', '1.0', {
    SendMessage: async (input) => {
      const request = SendMessage.safeParse(input);
      if (!request.success)
        throw new AwsApiError('InvalidParameterValue', request.error.issues[0]?.message ?? '');
      return store(request.data.QueueUrl, request.data.MessageBody);
    },
    SendMessageBatch: async (input) => {
      const request = SendMessageBatch.safeParse(input);
      if (!request.success)
        throw new AwsApiError('InvalidParameterValue', request.error.issues[0]?.message ?? '');
      const Successful = [];
      for (const entry of request.data.Entries) {
        Successful.push({ Id: entry.Id, ...(await store(request.data.QueueUrl, entry.MessageBody)) });
      }
      return { Successful, Failed: [] };
    },
  });
}
