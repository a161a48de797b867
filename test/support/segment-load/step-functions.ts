import { fnv1a32 } from '#shared/hash.ts';
import type { VirtualTime } from './virtual-time.ts';

/**
 * Step Functions as the load model sees it: StartExecution drawn from a
 * token bucket (the Region's refill and burst), names unique as AWS keeps
 * them (the same name and input again is answered as the first start; a
 * different input is ExecutionAlreadyExists), and a latency per call.
 */
export class ThrottledStepFunctions {
  private tokens: number;
  private refilledAt = 0;
  /** A hash of each execution's input, by name (a million inputs in full would not fit). */
  private readonly inputs = new Map<string, number>();
  /** Customers with an execution (from the execution input), and how many had a second one. */
  private readonly customers = new Set<string>();
  private startedTwice = 0;
  throttled = 0;
  repeats = 0;
  lastStartMs = 0;
  /** Executions started per whole second of model time (for the peak rate). */
  readonly perSecond = new Map<number, number>();

  constructor(
    private readonly time: VirtualTime,
    private readonly bucket = { refillPerSecond: 300, burst: 800 },
    private readonly latencyMs = 25,
  ) {
    this.tokens = bucket.burst;
  }

  get executions(): number {
    return this.inputs.size;
  }

  private take(): boolean {
    const now = this.time.nowMs;
    const refill = ((now - this.refilledAt) / 1000) * this.bucket.refillPerSecond;
    this.tokens = Math.min(this.bucket.burst, this.tokens + refill);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Another caller's start (ingest's own enrollments draw on the same bucket). */
  takeForOther(): boolean {
    return this.take();
  }

  async startExecution(input: { name?: string; input?: string }): Promise<{ executionArn: string }> {
    await this.time.sleep(this.latencyMs);
    if (!this.take()) {
      this.throttled += 1;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    const name = input.name ?? '';
    const hash = fnv1a32(input.input ?? '');
    const earlier = this.inputs.get(name);
    if (earlier !== undefined) {
      if (earlier !== hash)
        throw Object.assign(new Error('Execution already exists'), { name: 'ExecutionAlreadyExists' });
      this.repeats += 1;
      return { executionArn: `arn:execution:${name}` };
    }
    this.inputs.set(name, hash);
    const userId = String(JSON.parse(input.input ?? '{}').userId);
    if (this.customers.has(userId)) this.startedTwice += 1;
    this.customers.add(userId);
    this.lastStartMs = this.time.nowMs;
    const second = Math.floor(this.time.nowMs / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
    return { executionArn: `arn:execution:${name}` };
  }

  /** Customers with more than one execution. */
  customersStartedTwice(): number {
    return this.startedTwice;
  }

  /** Executions started in the whole seconds of model time before `ms`. */
  startedBefore(ms: number): number {
    let started = 0;
    for (const [second, count] of this.perSecond) if ((second + 1) * 1000 <= ms) started += count;
    return started;
  }

  /** The most executions started in any one second. */
  peakPerSecond(): number {
    return Math.max(0, ...this.perSecond.values());
  }
}
