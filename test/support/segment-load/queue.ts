import type { SqsRecord } from '#functions/segment-entry/records.ts';

/**
 * The segment queue: messages become visible again after the visibility
 * timeout when a worker reports them failed, and go to the dead letters
 * after the last receive, as the stack configures SQS.
 */
export class ModelQueue {
  private readonly ready: SqsRecord[] = [];
  private readonly later: { at: number; record: SqsRecord }[] = [];
  private readonly receives = new Map<string, number>();
  private sent = 0;
  readonly deadLetters: SqsRecord[] = [];
  redelivered = 0;

  constructor(
    private readonly visibilityTimeoutMs: number,
    private readonly maxReceiveCount: number,
  ) {}

  /** Messages sent with a delay (SQS DelaySeconds) become visible at `nowMs + delayMs`. */
  send(bodies: readonly string[], nowMs = 0, delayMs = 0): void {
    for (const body of bodies) {
      const record = { messageId: `m-${++this.sent}`, body };
      if (delayMs > 0) this.later.push({ at: nowMs + delayMs, record });
      else this.ready.push(record);
    }
  }

  /** Up to `max` visible messages. */
  receive(max: number, nowMs: number): SqsRecord[] {
    for (let i = this.later.length - 1; i >= 0; i--) {
      const entry = this.later[i];
      if (entry !== undefined && entry.at <= nowMs) {
        this.ready.push(entry.record);
        this.later.splice(i, 1);
      }
    }
    const batch = this.ready.splice(0, max);
    for (const record of batch)
      this.receives.set(record.messageId, (this.receives.get(record.messageId) ?? 0) + 1);
    return batch;
  }

  /** A message the worker reported failed: seen again after the visibility timeout, or dead-lettered. */
  failed(record: SqsRecord, nowMs: number): void {
    if ((this.receives.get(record.messageId) ?? 0) >= this.maxReceiveCount) {
      this.deadLetters.push(record);
      return;
    }
    this.redelivered += 1;
    this.later.push({ at: nowMs + this.visibilityTimeoutMs, record });
  }

  /** A message done: forgotten. */
  done(record: SqsRecord): void {
    this.receives.delete(record.messageId);
  }

  /** The bodies of the messages still on the queue, visible or not. */
  pending(): string[] {
    return [...this.ready, ...this.later.map((entry) => entry.record)].map((record) => record.body);
  }

  get empty(): boolean {
    return this.ready.length === 0 && this.later.length === 0;
  }
}
