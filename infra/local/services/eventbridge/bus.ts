import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import * as z from 'zod';
import { EventBridgeEvent } from '#functions/_lib/eventbridge-event.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../runtime/aws.ts';
import { CappedLog } from '../../runtime/capped-log.ts';
import type { JourneyClock } from '../../runtime/clock.ts';
import { AwsApiError, createAwsJsonServer, type RouteHandler } from '../../runtime/http.ts';
import { DEFAULT_RETENTION } from '../../runtime/options.ts';
import type { DeadLetter } from './dead-letters.ts';
import { detailProblem, entrySize, PUT_EVENTS_LIMITS } from './limits.ts';

/** An event as EventBridge delivers it to a target: the envelope the handlers parse. */
export const BusEvent = EventBridgeEvent;
export type BusEvent = EventBridgeEvent;

/** A rule with its target: a pattern on one bus and the function it invokes. */
export type BusTarget = {
  name: string;
  busName: string;
  matches: (event: BusEvent) => boolean;
  deliver: (event: BusEvent) => Promise<unknown>;
};

const Entry = z.object({
  Source: z.string().optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  EventBusName: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  Time: z.union([z.number(), z.string()]).optional(),
});
const PutEventsRequest = z.object({ Entries: z.array(Entry).min(1).max(PUT_EVENTS_LIMITS.maxEntries) });
type Entry = z.infer<typeof Entry>;
type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** Attempts per target before an event goes to the dead-letter file (AWS retries for 24 h). */
const ATTEMPTS = 3;
/** Deliveries running at once; the others wait their turn (Lambda's reserved concurrency). */
const DEFAULT_CONCURRENCY = 8;

export type LocalBusOptions = {
  files: { archive: string; deadLetters: string };
  /** Bytes each of the two files keeps, the newest records (default `DEFAULT_RETENTION.logBytes`). */
  maxFileBytes?: number;
  onError?: (message: string) => void;
  /** Journey time: stamps events put without a `Time`, and waits for deliveries in flight. */
  clock: JourneyClock;
  /** Deliveries at once (default 8). */
  concurrency?: number;
};

/**
 * A local event bus: accepts PutEvents for its buses within EventBridge's
 * limits, archives every event, and invokes every matching target
 * asynchronously, as EventBridge does, a bounded number at a time so that a
 * burst queues instead of pushing handlers past their timeout. Deliveries
 * that keep failing are kept in a dead-letter file, and can be replayed.
 */
export class LocalBus {
  private readonly targets: BusTarget[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly slots: Slots;
  private readonly archive: CappedLog;
  private readonly deadLetters: CappedLog;

  constructor(
    private readonly busNames: readonly string[],
    private readonly options: LocalBusOptions,
  ) {
    this.slots = new Slots(options.concurrency ?? DEFAULT_CONCURRENCY);
    const maxBytes = options.maxFileBytes ?? DEFAULT_RETENTION.logBytes;
    this.archive = new CappedLog(options.files.archive, maxBytes);
    this.deadLetters = new CappedLog(options.files.deadLetters, maxBytes);
  }

  addTarget(target: BusTarget): void {
    this.targets.push(target);
  }

  /** Puts entries on the bus; each succeeds or fails on its own, like PutEvents. */
  async put(entries: readonly Entry[]): Promise<{ FailedEntryCount: number; Entries: EntryResult[] }> {
    const results: EntryResult[] = [];
    // In order, so that events of one request are archived and delivered in the order given.
    for (const entry of entries) results.push(await this.putOne(entry));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /** Resolves when every delivery started so far (and those they caused) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Delivers dead-lettered events again to the target that failed on them;
   * resolves with the letters that failed again (with their new error).
   */
  async replay(letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    const failed: DeadLetter[] = [];
    for (const letter of letters) {
      const target = this.targets.find((t) => t.name === letter.target);
      const event = BusEvent.safeParse(letter.event).data;
      if (target === undefined || event === undefined) {
        failed.push({
          ...letter,
          error: `cannot replay: no target ${letter.target} or the event is unreadable`,
        });
        continue;
      }
      const error = await this.options.clock.track(this.slots.run(() => this.attempts(target, event)));
      if (error !== undefined) failed.push({ ...letter, error, failedAt: this.now().toISOString() });
    }
    return failed;
  }

  private now(): Date {
    return this.options.clock.now();
  }

  private async putOne(entry: Entry): Promise<EntryResult> {
    const busName = busNameOf(entry.EventBusName);
    if (!this.busNames.includes(busName)) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameters Source, DetailType and Detail are required.',
      };
    }
    const problem = detailProblem(entry.Detail);
    if (problem !== undefined) return { ErrorCode: 'MalformedDetail', ErrorMessage: problem };
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT,
      time: eventTime(entry.Time, () => this.now()),
      region: LOCAL_REGION,
      resources: entry.Resources ?? [],
      detail: JSON.parse(entry.Detail),
    };
    await this.archive.append({ bus: busName, event });
    this.dispatch(busName, event);
    return { EventId: event.id };
  }

  private dispatch(busName: string, event: BusEvent): void {
    for (const target of this.targets) {
      if (target.busName !== busName || !target.matches(event)) continue;
      // Time stands still from the put until the delivery ends, including its wait for a slot.
      const delivery = this.options.clock
        .track(this.slots.run(() => this.deliver(target, event)))
        .finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
    }
  }

  private async deliver(target: BusTarget, event: BusEvent): Promise<void> {
    const error = await this.attempts(target, event);
    if (error === undefined) return;
    this.options.onError?.(`${target.name} failed on event ${event.id} (${event['detail-type']}): ${error}`);
    const letter: DeadLetter = {
      target: target.name,
      error,
      failedAt: this.now().toISOString(),
      attempts: ATTEMPTS,
      event,
    };
    try {
      await this.deadLetters.append(letter);
    } catch (cause) {
      // A delivery nobody awaits must not end the process with an unhandled rejection (a full disk, a folder removed).
      const reason = cause instanceof Error ? cause.message : String(cause);
      this.options.onError?.(
        `could not keep the dead letter of event ${event.id} for ${target.name}: ${reason}`,
      );
    }
  }

  /** Invokes the target up to ATTEMPTS times; the last error, or undefined on success. */
  private async attempts(target: BusTarget, event: BusEvent): Promise<string | undefined> {
    let lastError = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        await target.deliver(event);
        return undefined;
      } catch (error) {
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    return lastError;
  }
}

/** A counting semaphore: at most `size` tasks run at once, the others start in arrival order. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}

/** `EventBusName` may be a name or an ARN; absent means the default bus. */
function busNameOf(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === '') return 'default';
  const slash = nameOrArn.lastIndexOf('event-bus/');
  return slash >= 0 ? nameOrArn.slice(slash + 'event-bus/'.length) : nameOrArn;
}

/** EventBridge times are whole seconds in ISO form; `Time` arrives as epoch seconds. */
function eventTime(time: number | string | undefined, clock: () => Date): string {
  const date = time === undefined ? clock() : new Date(typeof time === 'number' ? time * 1000 : time);
  const valid = Number.isNaN(date.getTime()) ? clock() : date;
  return `${valid.toISOString().slice(0, 19)}Z`;
}

/**
 * The PutEvents endpoint (AWS JSON 1.1, `AWSEvents.PutEvents`) in front of a
 * bus; `routes` answers other paths (the runtime's control API).
 */
export function createEventBridgeServer(bus: LocalBus, routes?: RouteHandler): Server {
  return createAwsJsonServer(
    'AWSEvents',
    '1.1',
    {
      PutEvents: (input) => {
        const request = PutEventsRequest.safeParse(input);
        if (!request.success)
          throw new AwsApiError('ValidationException', request.error.issues[0]?.message ?? 'Invalid request');
        const bytes = request.data.Entries.reduce((n, e) => n + entrySize(e), 0);
        if (bytes > PUT_EVENTS_LIMITS.maxRequestBytes)
          throw new AwsApiError(
            'ValidationException',
            `Total size of the entries in the request is over the limit (${bytes} bytes, at most ${PUT_EVENTS_LIMITS.maxRequestBytes}).`,
          );
        return bus.put(request.data.Entries);
      },
    },
    routes,
  );
}
