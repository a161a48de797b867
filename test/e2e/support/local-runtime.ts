import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { type LocalOptions, type LocalRuntime, startLocal } from '#infra/local/index.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import type { HeldPorts } from '#infra/local/runtime/listen.ts';
import { ANY_PORTS } from '#infra/local/runtime/options.ts';
import { type ExecutionRecord, readExecutions } from '#infra/local/services/stepfunctions/api/executions.ts';
import { CUSTOMER_EVENT_SOURCE } from '#shared/events.ts';
import type { Sandbox } from './sandbox.ts';

export { PROJECT_JOURNEYS, type Sandbox, sandbox } from './sandbox.ts';

/**
 * The real-time limit of a whole end-to-end story. Journey time does not
 * depend on it — only how long the machine may take, loaded or not.
 */
export const E2E_TIMEOUT = 300_000;

/** Where the end-to-end tests' journey time starts: a Monday, 09:00 UTC. */
export const E2E_START = '2026-03-02T09:00:00Z';

/**
 * Starts the runtime of a sandbox on free ports (or held ones, to start
 * again where a stopped runtime answered), silently, on the deterministic
 * clock: journey time moves only when a test advances it. `inMemory` keeps
 * DynamoDB's data in memory, as `journeys test` does, for a story that never
 * restarts on its data directory.
 */
export function boot(
  box: Sandbox,
  options: {
    heldPorts?: HeldPorts;
    startAt?: string;
    connections?: LocalOptions['connections'];
    inMemory?: boolean;
    aliasTrustedSources?: LocalOptions['aliasTrustedSources'];
  } = {},
): Promise<LocalRuntime> {
  return startLocal({
    ...(options.connections === undefined ? {} : { connections: options.connections }),
    ...(options.inMemory === undefined ? {} : { inMemory: options.inMemory }),
    ...(options.aliasTrustedSources === undefined
      ? {}
      : { aliasTrustedSources: options.aliasTrustedSources }),
    dataDir: box.dataDir,
    journeysDir: box.journeysDir,
    clock: 'deterministic',
    startAt: options.startAt ?? E2E_START,
    ports: ANY_PORTS,
    ...(options.heldPorts === undefined ? {} : { heldPorts: options.heldPorts }),
    log: () => {},
  });
}

/**
 * Moves journey time from timer to timer until `check` returns a value;
 * fails if none is due within `withinMs` of journey time.
 */
export async function runUntil<T>(
  runtime: LocalRuntime,
  what: string,
  check: () => Promise<T | undefined>,
  withinMs = 7 * 86_400_000,
): Promise<T> {
  const { clock } = runtime.services;
  const limit = clock.nowMs() + withinMs;
  await runtime.settled();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const next = clock.nextDueMs();
    if (next === undefined || next > limit)
      throw new Error(`${what} did not happen by ${new Date(limit).toISOString()} (journey time)`);
    await runtime.advanceTo(next);
  }
}

/** A customer event as apps send it (Segment spec), stamped in the runtime's journey time. */
export type CustomerEvent = { type: 'track' | 'identify'; userId: string } & Record<string, unknown>;

export function entry(runtime: LocalRuntime, event: CustomerEvent): PutEventsRequestEntry {
  const detail = { messageId: randomUUID(), timestamp: runtime.services.clock.now().toISOString(), ...event };
  return {
    Source: CUSTOMER_EVENT_SOURCE,
    DetailType: event.type,
    Detail: JSON.stringify(detail),
    EventBusName: 'customer-events',
  };
}

/**
 * Sends events through the local PutEvents endpoint with the AWS SDK, 10 per
 * request, on `client` when given (a story sending many events keeps one
 * client and its connection), else on a client of its own.
 */
export async function putEvents(
  runtime: LocalRuntime,
  events: CustomerEvent[],
  client?: EventBridgeClient,
): Promise<void> {
  const sender = client ?? eventsClient(runtime);
  try {
    for (let i = 0; i < events.length; i += 10) {
      const out = await sender.send(
        new PutEventsCommand({ Entries: events.slice(i, i + 10).map((e) => entry(runtime, e)) }),
      );
      if ((out.FailedEntryCount ?? 0) > 0)
        throw new Error(`PutEvents failed: ${JSON.stringify(out.Entries)}`);
    }
  } finally {
    if (client === undefined) sender.destroy();
  }
}

/** An EventBridge client of the runtime's PutEvents endpoint; its owner destroys it. */
export function eventsClient(runtime: LocalRuntime): EventBridgeClient {
  return new EventBridgeClient(localClientConfig(runtime.endpoints.eventbridge));
}

/** An identify making a customer reachable on every channel, in a given time zone. */
export function identify(userId: string, timezone: string): CustomerEvent {
  return {
    type: 'identify',
    userId,
    traits: {
      firstName: `Fn${userId.replace(/[^a-z0-9]/gi, '')}`,
      email: `${userId}@example.com`,
      phone: phoneOf(userId),
      timezone,
      consent: { email: true, sms: true, push: true, topics: { 'cart-reminders': true } },
    },
    context: { device: { token: `token-${userId}`, type: 'android' } },
  };
}

/** A stable fake phone number per customer. */
export function phoneOf(userId: string): string {
  let n = 0;
  for (const c of userId) n = (n * 31 + c.charCodeAt(0)) % 10_000;
  return `+1555010${String(n).padStart(4, '0')}`;
}

export function track(userId: string, event: string, properties: Record<string, unknown>): CustomerEvent {
  return { type: 'track', userId, event, properties };
}

/**
 * An IANA zone (Etc/GMT±N) where the local hour at `at` is `hour`, so a
 * test controls whether journey time falls in quiet hours.
 */
export function zoneWhereHourIs(hour: number, at: Date): string {
  let offset = (((hour - at.getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  if (offset === 0) return 'Etc/GMT';
  // POSIX sign: Etc/GMT-2 is two hours ahead of UTC.
  return `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

const StoredEmail = z
  .object({
    messageId: z.string(),
    destination: z.object({ to: z.array(z.string()) }).loose(),
    subject: z.string(),
    body: z.object({ html: z.string().optional(), text: z.string().optional() }).loose(),
  })
  .loose();
export type StoredEmail = z.infer<typeof StoredEmail>;

/** Emails the SES emulator received, from its `/store`. */
export async function sentEmails(runtime: LocalRuntime, to?: string): Promise<StoredEmail[]> {
  const res = await fetch(`${runtime.endpoints.ses}/store`);
  const emails = z.object({ emails: z.array(StoredEmail) }).parse(await res.json()).emails;
  return to === undefined ? emails : emails.filter((e) => e.destination.to.includes(to));
}

/**
 * Polls `check` every 20 ms until it returns a value, or fails after `ms`
 * real milliseconds: only for what happens outside journey time (a file
 * watcher's notification).
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms; // wall-clock ok: a safety limit on a real-world wait, never journey time
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`); // wall-clock ok: same limit
    await new Promise((r) => setTimeout(r, 20));
  }
}

const CustomerInput = z.object({ userId: z.string() }).loose();

/**
 * Executions of a journey by customer, from one read of the local Step
 * Functions log: a test that looks at many customers reads the log once,
 * not once per customer.
 */
export async function executionsByCustomer(
  runtime: LocalRuntime,
  journeyId: string,
): Promise<Map<string, ExecutionRecord[]>> {
  const file = join(runtime.options.dataDir, 'stepfunctions', 'executions.jsonl');
  const byCustomer = new Map<string, ExecutionRecord[]>();
  for (const record of (await readExecutions(file)).values()) {
    if (record.machine !== `journey-${journeyId}`) continue;
    const userId = CustomerInput.safeParse(JSON.parse(record.input)).data?.userId;
    if (userId === undefined) continue;
    byCustomer.set(userId, [...(byCustomer.get(userId) ?? []), record]);
  }
  return byCustomer;
}

/** Executions of a journey for one customer, from the local Step Functions log. */
export async function executionsOf(
  runtime: LocalRuntime,
  journeyId: string,
  userId: string,
): Promise<ExecutionRecord[]> {
  return (await executionsByCustomer(runtime, journeyId)).get(userId) ?? [];
}

/** Runs until each customer has exactly one execution of each journey, and none is running. */
export async function untilEachEnded(
  runtime: LocalRuntime,
  pairs: readonly { journeyId: string; userId: string }[],
): Promise<void> {
  const journeys = [...new Set(pairs.map((p) => p.journeyId))];
  await runUntil(runtime, 'every enrollment ended', async () => {
    const read = await Promise.all(journeys.map((id) => executionsByCustomer(runtime, id)));
    const byJourney = new Map(journeys.map((id, i) => [id, read[i]]));
    const runs = pairs.map((p) => byJourney.get(p.journeyId)?.get(p.userId) ?? []);
    return runs.every((r) => r.length === 1 && r[0]?.status !== 'RUNNING') ? runs : undefined;
  });
}

/** Waits until no execution runs and no event delivery is in flight. */
export async function quiesce(runtime: LocalRuntime): Promise<void> {
  await runtime.settled();
  await runtime.services.sfn.idle();
  await runtime.settled();
  await runtime.services.activity.flushed();
}
