import { createHash, randomUUID } from 'node:crypto';
import * as z from 'zod';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './aws.ts';
import { CappedLog } from './capped-log.ts';
import type { JourneyClock } from './clock.ts';
import { DEFAULT_RETENTION } from './options.ts';

/** One message of an SQS event, as Lambda's event source mapping delivers it. */
export type SqsEventRecord = {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
};

export type QueueTarget = (event: { Records: SqsEventRecord[] }) => Promise<unknown>;

export type QueueWorkerOptions = {
  /** Messages per invocation (the event source's batch size). */
  batchSize: number;
  /** Invocations at once (the event source's maximum concurrency). */
  concurrency: number;
  /** Receives before a message goes to the dead-letter file (the redrive policy's maxReceiveCount). */
  maxReceiveCount: number;
  /** Journey milliseconds before a failed message is received again (the visibility timeout). */
  retryDelayMs: number;
  /** JSON-lines file of the messages that failed every receive. */
  deadLetters: string;
  /** The dead-letter file keeps its newest messages within this many bytes (default `DEFAULT_RETENTION.logBytes`). */
  deadLetterBytes?: number;
  onError: (message: string) => void;
  /** Journey time: SentTimestamp, retry delays, and the hold while a batch is processed. */
  clock: JourneyClock;
};

type Message = { messageId: string; body: string; sentAt: number; receiveCount: number };

/** Lambda's partial batch response: only these messages are received again. */
const BatchResponse = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })),
});

/**
 * A queue with a Lambda event source, in memory: messages sent to it are
 * delivered to the target a batch at a time, a few batches at once; the
 * messages the target reports in `batchItemFailures` (or a whole batch that
 * throws) are received again after the retry delay, and dead-lettered after
 * `maxReceiveCount` receives. Messages not yet processed when the runtime
 * stops are lost, as the work they carry is repeated by the next run.
 */
export class QueueWorker {
  private readonly ready: Message[] = [];
  private readonly timers = new Set<() => void>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private target: QueueTarget | undefined;
  private readonly deadLetters: CappedLog;

  constructor(
    readonly name: string,
    private readonly options: QueueWorkerOptions,
  ) {
    this.deadLetters = new CappedLog(
      options.deadLetters,
      options.deadLetterBytes ?? DEFAULT_RETENTION.logBytes,
    );
  }

  /** Attaches the function the queue delivers to (the event source mapping). */
  bind(target: QueueTarget): void {
    this.target = target;
    this.pump();
  }

  /** Accepts a message (SendMessage); returns its id. */
  send(body: string): string {
    const messageId = randomUUID();
    this.ready.push({ messageId, body, sentAt: this.options.clock.nowMs(), receiveCount: 0 });
    this.pump();
    return messageId;
  }

  /** Resolves when no message waits, is being processed, or waits for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** True while a message waits, is processed or waits for a retry. */
  get busy(): boolean {
    return !this.isIdle();
  }

  /** Drops pending retries; messages still waiting are not delivered any more. */
  stop(): void {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.ready.length = 0;
    this.target = undefined;
    this.checkIdle();
  }

  private isIdle(): boolean {
    return this.ready.length === 0 && this.inFlight === 0 && this.timers.size === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private pump(): void {
    const target = this.target;
    while (target !== undefined && this.inFlight < this.options.concurrency && this.ready.length > 0) {
      const batch = this.ready.splice(0, this.options.batchSize);
      this.inFlight += 1;
      const release = this.options.clock.hold();
      void this.deliver(target, batch).finally(() => {
        release();
        this.inFlight -= 1;
        this.pump();
        this.checkIdle();
      });
    }
  }

  private async deliver(target: QueueTarget, batch: Message[]): Promise<void> {
    for (const message of batch) message.receiveCount += 1;
    let failed: Set<string>;
    try {
      const response = BatchResponse.safeParse(await target({ Records: batch.map((m) => this.record(m)) }));
      failed = new Set(response.data?.batchItemFailures.map((f) => f.itemIdentifier) ?? []);
    } catch (error) {
      // A function error fails the whole batch: every message is received again.
      this.options.onError(`${this.name}: ${error instanceof Error ? error.message : String(error)}`);
      failed = new Set(batch.map((m) => m.messageId));
    }
    for (const message of batch.filter((m) => failed.has(m.messageId))) await this.retry(message);
  }

  private async retry(message: Message): Promise<void> {
    if (message.receiveCount >= this.options.maxReceiveCount) {
      this.options.onError(`${this.name}: message ${message.messageId} dead-lettered`);
      const line = { queue: this.name, failedAt: this.options.clock.now().toISOString(), ...message };
      await this.deadLetters.append(line);
      return;
    }
    const cancel = this.options.clock.at(
      this.options.clock.nowMs() + this.options.retryDelayMs,
      () => {
        this.timers.delete(cancel);
        this.ready.push(message);
        this.pump();
        this.checkIdle();
      },
      `queue/${this.name}/${message.body}`,
    );
    this.timers.add(cancel);
  }

  private record(message: Message): SqsEventRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        ApproximateFirstReceiveTimestamp: String(message.sentAt),
        SenderId: LOCAL_ACCOUNT,
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${this.name}`,
      awsRegion: LOCAL_REGION,
    };
  }
}
