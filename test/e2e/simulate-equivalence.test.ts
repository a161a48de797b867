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
 *
 * The simulation runs all CUSTOMERS; the runtime (a hundred times the cost
 * per customer) gets one customer per time zone and outcome path among them:
 * every path the policy gives, at every local hour the scenario produces it,
 * is compared. Customers do not affect one another in this journey, so the
 * rest would repeat what those show.
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
/** The customers run through the local runtime too. */
let compared: string[] = [];

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
  const { scenario } = loaded.inputs;
  await simulate({
    ...loaded.inputs,
    customers: CUSTOMERS,
    trace: { message: (userId, at, step, status) => add(simulated, userId, line(at, step, status)) },
  });
  const customers = onePerPath(
    Array.from({ length: CUSTOMERS }, (_, i) => customerOf(scenario, i, CUSTOMERS)),
    simulated,
  );
  compared = customers.map((c) => c.userId);
  box = await sandbox([JOURNEY]);
  const started = await boot(box, { startAt: scenario.start });
  runtime = started;
  const events = customers.flatMap((c) => c.events);
  events.sort((a, b) => a.at - b.at);
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
      await putEvents(started, [event]);
      await started.settled();
    }
  }
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

/** The first customer of each time zone and sequence of steps and outcomes (times aside), in index order. */
function onePerPath<C extends { userId: string; timezone: string }>(
  customers: readonly C[],
  timelines: ReadonlyMap<string, Line[]>,
): C[] {
  const seen = new Set<string>();
  return customers.filter((c) => {
    const path = (timelines.get(c.userId) ?? []).map((l) => l.split(' ').slice(1).join(' '));
    const key = JSON.stringify([c.timezone, path]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

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
  it(`gives each customer the same message timeline, one per time zone and outcome path of ${CUSTOMERS}`, () => {
    // assert
    const users = [...new Set([...compared.filter((u) => simulated.has(u)), ...local.keys()])].sort();
    expect(compared.length).toBeGreaterThan(CUSTOMERS / 5);
    expect(users.length).toBeGreaterThan(compared.length / 2);
    const differences = users.filter(
      (u) => JSON.stringify(simulated.get(u) ?? []) !== JSON.stringify(local.get(u) ?? []),
    );
    expect(
      differences.slice(0, 5).map((u) => ({ user: u, simulated: simulated.get(u), local: local.get(u) })),
    ).toEqual([]);
  });

  it('covers sends, deferrals and suppressions', () => {
    // assert: the comparison above is about every outcome the policy gives, not only "sent"
    const statuses = new Set([...local.values()].flat().map((l) => l.split(' ')[2]));
    expect([...statuses].sort()).toEqual(['deferred', 'sent', 'suppressed']);
  });
});
