import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import * as z from 'zod';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './aws.ts';
import { AwsApiError, createAwsJsonServer } from './http.ts';

/** An event as EventBridge delivers it to a target. */
export type BusEvent = {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
};

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
const PutEventsRequest = z.object({ Entries: z.array(Entry).min(1).max(10) });
type Entry = z.infer<typeof Entry>;
type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** Attempts per target before an event goes to the dead-letter file (AWS retries for 24 h). */
const ATTEMPTS = 3;

/**
 * A local event bus: accepts PutEvents for its buses, archives every event,
 * and invokes every matching target asynchronously, as EventBridge does.
 * Deliveries that keep failing are kept in a dead-letter file.
 */
export class LocalBus {
  private readonly targets: BusTarget[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly busNames: readonly string[],
    private readonly files: { archive: string; deadLetters: string },
    private readonly onError: (message: string) => void = () => {},
    /** Stamps events put without a `Time` (the runtime's journey time). */
    private readonly clock: () => Date = () => new Date(),
  ) {}

  addTarget(target: BusTarget): void {
    this.targets.push(target);
  }

  /** Puts entries on the bus; each succeeds or fails on its own, like PutEvents. */
  async put(entries: readonly Entry[]): Promise<{ FailedEntryCount: number; Entries: EntryResult[] }> {
    const results = await Promise.all(entries.map((entry) => this.putOne(entry)));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /** Resolves when every delivery started so far (and those they caused) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
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
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT,
      time: eventTime(entry.Time, this.clock),
      region: LOCAL_REGION,
      resources: entry.Resources ?? [],
      detail,
    };
    await appendFile(this.files.archive, `${JSON.stringify({ bus: busName, event })}\n`);
    this.dispatch(busName, event);
    return { EventId: event.id };
  }

  private dispatch(busName: string, event: BusEvent): void {
    for (const target of this.targets) {
      if (target.busName !== busName || !target.matches(event)) continue;
      const delivery = this.deliver(target, event).finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
    }
  }

  private async deliver(target: BusTarget, event: BusEvent): Promise<void> {
    let lastError = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        await target.deliver(event);
        return;
      } catch (error) {
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    this.onError(`${target.name} failed on event ${event.id} (${event['detail-type']}): ${lastError}`);
    const record = { target: target.name, error: lastError, failedAt: this.clock().toISOString(), event };
    await appendFile(this.files.deadLetters, `${JSON.stringify(record)}\n`);
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

/** The PutEvents endpoint (AWS JSON 1.1, `AWSEvents.PutEvents`) in front of a bus. */
export function createEventBridgeServer(bus: LocalBus): Server {
  return createAwsJsonServer('AWSEvents', '1.1', {
    PutEvents: (input) => {
      const request = PutEventsRequest.safeParse(input);
      if (!request.success)
        throw new AwsApiError('ValidationException', request.error.issues[0]?.message ?? 'Invalid request');
      return bus.put(request.data.Entries);
    },
  });
}
