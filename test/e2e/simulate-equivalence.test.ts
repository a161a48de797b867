// First: the handlers the simulation imports build their logger and metrics as they load, quiet as in the runtime.
import '#infra/local/runtime/quiet-handlers.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { LocalRuntime } from '#infra/local/index.ts';
import { readActivity } from '#infra/local/runtime/activity.ts';
import { loadInputs } from '#infra/simulate/cli/inputs.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';
import { customerOf } from '#infra/simulate/scenario/customers.ts';
import {
  boot,
  type CustomerEvent,
  E2E_TIMEOUT,
  eventsClient,
  putEvents,
  type Sandbox,
  sandbox,
} from './support/local-runtime.ts';

/**
 * The simulation and the local runtime, given the same customers and the
 * same events at the same journey times, send the same messages to the same
 * customers at the same times, with the same outcomes (sent, deferred, not
 * sent and why). The runtime runs on its loopback stand-ins; the simulation
 * in memory.
 */

const JOURNEY = 'cart-abandonment';
const CUSTOMERS = 200;
const journeysDir = join(import.meta.dirname, '..', '..', 'journeys');

type Line = string;
const line = (at: number | string, step: string, status: string): Line =>
  `${new Date(at).toISOString()} ${step} ${status}`;

const SendInput = z.object({ userId: z.string(), stepId: z.string(), channel: z.string() });
const SendOutput = z.object({ status: z.string() });

let box: Sandbox;
let runtime: LocalRuntime | undefined;
const simulated = new Map<string, Line[]>();
const local = new Map<string, Line[]>();

function add(map: Map<string, Line[]>, userId: string, entry: Line) {
  map.set(userId, [...(map.get(userId) ?? []), entry]);
}

beforeAll(async () => {
  // arrange: one scenario, two worlds
  const loaded = await loadInputs(
    join(journeysDir, `${JOURNEY}.json`),
    join(journeysDir, 'simulations', `${JOURNEY}.json`),
  );
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  // The local stand-ins deliver every email and SMS to these addresses, and nobody opens one: so does the forecast here.
  const scenario = {
    ...loaded.inputs.scenario,
    messages: { email: { bounced: 0 }, sms: { undelivered: 0 } },
  };
  await simulate({
    ...loaded.inputs,
    scenario,
    customers: CUSTOMERS,
    trace: { message: (userId, at, step, status) => add(simulated, userId, line(at, step, status)) },
  });
  box = await sandbox([JOURNEY]);
  // DynamoDB in memory: the comparison reads the task activity log, never the tables on disk.
  const started = await boot(box, { startAt: scenario.start, inMemory: true });
  runtime = started;
  const events = Array.from(
    { length: CUSTOMERS },
    (_, i) => customerOf(scenario, i, CUSTOMERS).events,
  ).flat();
  events.sort((a, b) => a.at - b.at);
  const client = eventsClient(started);
  for (let i = 0; i < events.length; ) {
    const at = events[i]?.at ?? 0;
    const batch: CustomerEvent[] = [];
    while (i < events.length && events[i]?.at === at) {
      const event = events[i]?.event;
      if (event !== undefined) batch.push(CustomerEventOf.parse(event));
      i += 1;
    }
    await started.advanceTo(at);
    // Events of one instant in time order of the customers, as the simulation ingests them.
    for (const event of batch) {
      await putEvents(started, [event], client);
      await started.settled();
    }
  }
  client.destroy();
  await started.advanceTo(Date.parse(scenario.start) + 10 * 86_400_000);
  await started.stop();
  runtime = undefined;
  for (const a of await readActivity(box.dataDir)) {
    const input = SendInput.safeParse(a.input);
    if (!input.success) continue;
    const status = a.error?.startsWith('Journeys.Deferred')
      ? 'deferred'
      : SendOutput.safeParse(a.output).data?.status;
    add(local, input.data.userId, line(a.at, input.data.stepId, status ?? `error ${a.error ?? ''}`));
  }
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

const CustomerEventOf = z.custom<CustomerEvent>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    'type' in value &&
    (value.type === 'track' || value.type === 'identify') &&
    'userId' in value &&
    typeof value.userId === 'string',
);

describe('journeys simulate agrees with the local runtime', () => {
  it(`gives each of ${CUSTOMERS} customers the same message timeline`, () => {
    // assert
    const users = [...new Set([...simulated.keys(), ...local.keys()])].sort();
    expect(users.length).toBeGreaterThan(CUSTOMERS / 2);
    const differences = users.filter(
      (u) => JSON.stringify(simulated.get(u) ?? []) !== JSON.stringify(local.get(u) ?? []),
    );
    expect(
      differences.slice(0, 5).map((u) => ({ user: u, simulated: simulated.get(u), local: local.get(u) })),
    ).toEqual([]);
  });

  it('covers sends, deferrals and suppressions', () => {
    // assert: the comparison above is about every outcome the policy gives, not only "sent"
    const statuses = new Set([...simulated.values()].flat().map((l) => l.split(' ')[2]));
    expect([...statuses].sort()).toEqual(['deferred', 'sent', 'suppressed']);
  });
});
