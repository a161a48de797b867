// First: the handlers the simulation imports build their logger and metrics as they load, quiet as in the runtime.
import '#infra/local/runtime/quiet-handlers.ts';
import { join } from 'node:path';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { loadInputs } from '#infra/simulate/cli/inputs.ts';
import { customerOf } from '#infra/simulate/scenario/customers.ts';
import { MessageOutcomes } from '#infra/simulate/scenario/outcomes.ts';
import { createWorld } from '#infra/simulate/world/world.ts';
import { DynamoCalls } from '../support/dynamo-calls.ts';

/**
 * DynamoDB calls the product makes, by handler, table and operation: per
 * customer of the cart-abandonment scenario (its events, messages and
 * feedback, in the simulation's world: the product's handlers and
 * repositories on in-memory tables), and per invocation of each handler.
 * `BENCH_CALLS_CUSTOMERS` (default 1000) customers.
 */

const journeysDir = join(import.meta.dirname, '..', '..', 'journeys');

export async function runCallsBench(): Promise<void> {
  const customers = Number(process.env.BENCH_CALLS_CUSTOMERS ?? 1000);
  const loaded = await loadInputs(
    join(journeysDir, 'cart-abandonment.json'),
    join(journeysDir, 'simulations', 'cart-abandonment.json'),
  );
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const { journey, templates, scenario } = loaded.inputs;
  const calls = new DynamoCalls();
  const invocations = new Map<string, number>();
  const invoked = (fn: string) => {
    calls.label = fn;
    invocations.set(fn, (invocations.get(fn) ?? 0) + 1);
  };
  const world = await createWorld(
    new Date(scenario.start),
    {
      invoked,
      // The execution's own dynamodb:updateItem steps are counted under the state machine.
      ended: () => {},
    },
    undefined,
    new MessageOutcomes(scenario.seed, scenario.messages),
  );
  calls.watch(world.db.doc);
  calls.watchLowLevel(world.db.client);
  setClock(() => new Date(world.timers.now));
  try {
    calls.label = 'deploy';
    await world.deploy(journey, templates);
    calls.reset();
    invocations.clear();
    for (let i = 0; i < customers; i++)
      for (const { at, event } of customerOf(scenario, i, customers).events)
        world.timers.at(at, async () => {
          invoked('ingest');
          await world.ingest(event);
        });
    await world.timers.run();
  } finally {
    resetClock();
  }
  console.log(`\nDynamoDB calls, cart-abandonment scenario, ${customers} customers (per customer)`);
  const rows = [...calls.all].map(([key, n]) => `  ${key.padEnd(48)} ${(n / customers).toFixed(2)}`);
  console.log(rows.join('\n'));
  console.log(`  total per customer: ${(calls.total() / customers).toFixed(2)}`);
  console.log('\nper invocation of each handler');
  for (const [fn, n] of [...invocations].sort()) {
    const made = calls.total(fn);
    console.log(
      `  ${fn.padEnd(20)} ${String(n).padStart(7)} invocations  ${(made / n).toFixed(2)} calls each  ${JSON.stringify(perInvocation(calls.of(fn), n))}`,
    );
  }
}

function perInvocation(counts: Record<string, number>, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts)) out[k] = Math.round((v / n) * 100) / 100;
  return out;
}

/** One scripted customer through cart-abandonment, and plain events: every call in order, by handler. */
export async function runCallsTrace(): Promise<void> {
  const loaded = await loadInputs(
    join(journeysDir, 'cart-abandonment.json'),
    join(journeysDir, 'simulations', 'cart-abandonment.json'),
  );
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const { journey, templates, scenario } = loaded.inputs;
  const calls = new DynamoCalls();
  const world = await createWorld(
    new Date('2026-03-02T00:00:00Z'),
    { invoked: (fn) => (calls.label = fn) },
    undefined,
    new MessageOutcomes(scenario.seed, { email: { bounced: 0 }, sms: { undelivered: 0 } }),
  );
  calls.watch(world.db.doc);
  calls.watchLowLevel(world.db.client);
  setClock(() => new Date(world.timers.now));
  const at = (iso: string, label: string, event: Record<string, unknown>) =>
    world.timers.at(Date.parse(iso), async () => {
      calls.label = 'ingest';
      calls.log?.push(`--- ${iso} ${label}`);
      await world.ingest({ timestamp: iso, messageId: `${label}-${iso}`, ...event });
    });
  try {
    await world.deploy(journey, templates);
    calls.log = [];
    const u = { userId: 'u1' };
    at('2026-03-02T09:00:00.000Z', 'identify new', {
      type: 'identify',
      ...u,
      traits: {
        email: 'u1@example.com',
        firstName: 'Anna',
        timezone: 'Europe/Rome',
        consent: { email: true },
      },
    });
    at('2026-03-02T09:00:01.000Z', 'identify known traits', {
      type: 'identify',
      ...u,
      traits: { firstName: 'Anna' },
    });
    at('2026-03-02T09:00:02.000Z', 'plain track', {
      type: 'track',
      ...u,
      event: 'Page Viewed',
      properties: {},
    });
    at('2026-03-02T09:00:03.000Z', 'plain track, new customer', {
      type: 'track',
      userId: 'u2',
      event: 'Page Viewed',
      properties: {},
    });
    at('2026-03-02T09:00:04.000Z', 'trigger', {
      type: 'track',
      ...u,
      event: 'Cart Updated',
      properties: { cartId: 'c1', total: 50 },
    });
    at('2026-03-02T12:00:00.000Z', 'goal', {
      type: 'track',
      ...u,
      event: 'Order Completed',
      properties: { cartId: 'c1', total: 50 },
    });
    await world.timers.run();
  } finally {
    resetClock();
  }
  console.log(calls.log?.join('\n'));
  console.log(`total ${calls.total()}`);
}

// Run directly: `npx tsx test/bench/calls.ts [trace]`.
if (import.meta.url === `file://${process.argv[1]}`)
  await (process.argv.includes('trace') ? runCallsTrace() : runCallsBench());
