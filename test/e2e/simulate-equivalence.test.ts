// First: the handlers the simulation imports build their logger and metrics as they load, quiet as in the runtime.
import '#infra/local/runtime/quiet-handlers.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { LocalRuntime } from '#infra/local/index.ts';
import { readActivity } from '#infra/local/runtime/activity.ts';
import { loadInputs } from '#infra/simulate/cli/inputs.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';
import { type Customer, customerOf } from '#infra/simulate/scenario/customers.ts';
import { boot, E2E_TIMEOUT, type Sandbox, sandbox } from './support/local-runtime.ts';
import { feedCustomers } from './support/simulated-customers.ts';

/**
 * The simulation and the local runtime, given the same customers and the
 * same events at the same journey times, send the same messages to the same
 * customers at the same times, with the same outcomes (sent, deferred, not
 * sent and why). The runtime runs on its loopback stand-ins; the simulation
 * in memory.
 */

const JOURNEY = 'cart-abandonment';
/**
 * Sixteen customers of seed 1672 take every path of the journey and get
 * every outcome of its sends (the coverage tests below prove it): the rare
 * ones too, a test account (1 %), a cart under the trigger's threshold, an
 * emptied cart (5 %), an order in the first hour: the fewest customers of
 * the seeds up to 3000 (the runtime's half of the test costs CPU per
 * customer). Seed 1 needs 150 customers for its first test account.
 */
const CUSTOMERS = 16;
const SEED = 1672;
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
let customers: Customer[] = [];

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
    seed: SEED,
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
  customers = Array.from({ length: CUSTOMERS }, (_, i) => customerOf(scenario, i, CUSTOMERS));
  await feedCustomers(started, customers, Date.parse(scenario.start) + 10 * 86_400_000);
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

  it('covers every path a customer takes through the journey', () => {
    // assert: the customers compared above include each way in, out and through the journey
    expect([...new Set(customers.flatMap(pathsOf))].sort()).toEqual([
      'cart emptied',
      'cart under the threshold',
      'email consent refused',
      'no email address',
      'order after a day',
      'order in the first hour',
      'order in the next day',
      'test account',
    ]);
    const outcomes = new Set([...simulated.values()].flat().map((l) => l.split(' ').slice(1).join(' ')));
    expect([...outcomes].sort()).toEqual(
      expect.arrayContaining([
        'cart-push sent',
        'cart-push suppressed',
        'cart-sms deferred',
        'cart-sms sent',
        'cart-sms suppressed',
        'cart-sms.fallback1 sent',
        'reminder-email deferred',
        'reminder-email sent',
        'reminder-email suppressed',
      ]),
    );
  });
});

const HOUR = 3_600_000;
const Identify = z.object({
  traits: z.looseObject({ email: z.string().optional(), testAccount: z.unknown() }),
});
const Consent = z.object({ traits: z.object({ consent: z.object({ email: z.boolean() }) }) });
const Track = z.object({ event: z.string(), properties: z.looseObject({ total: z.number().optional() }) });

/** The paths of the journey a customer's traits and events lead to, as the journey's trigger, audience and steps read them. */
function pathsOf(customer: Customer): string[] {
  const [identify, trigger, ...behaviour] = customer.events;
  const traits = Identify.parse(identify?.event).traits;
  const enteredAt = trigger?.at ?? 0;
  const paths = [
    traits.testAccount === true ? 'test account' : undefined,
    traits.email === undefined ? 'no email address' : undefined,
    Consent.parse(identify?.event).traits.consent.email ? undefined : 'email consent refused',
    (Track.parse(trigger?.event).properties.total ?? 0) < 20 ? 'cart under the threshold' : undefined,
  ];
  for (const { at, event } of behaviour) {
    const name = Track.parse(event).event;
    const hours = (at - enteredAt) / HOUR;
    if (name === 'Cart Emptied') paths.push('cart emptied');
    else if (hours < 1) paths.push('order in the first hour');
    else if (hours < 25) paths.push('order in the next day');
    else paths.push('order after a day');
  }
  return paths.filter((path) => path !== undefined);
}
