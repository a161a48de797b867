import { resetClock, setClock } from '#functions/_lib/clock.ts';
import type { Journey } from '#shared/journey/schema.ts';
import type { Template } from '#shared/templates.ts';
import { type Customer, customerOf, entryTime } from '../scenario/customers.ts';
import type { Scenario } from '../scenario/spec.ts';
import { createWorld } from '../world/world.ts';
import { type Forecast, forecastOf } from './forecast.ts';
import { Tally } from './tally.ts';

/**
 * Runs a journey for N synthetic customers on journey time: each customer
 * enters at its moment, behaves as the scenario says, and the journey's real
 * compiled logic, handlers and delivery policy decide the rest. Customers are
 * generated when they enter; what the run keeps is counters.
 */

export type SimulateOptions = {
  journey: Journey;
  templates: ReadonlyMap<string, Template>;
  scenario: Scenario;
  customers: number;
  /** Called now and then with the customers entered so far and journey time. */
  progress?: (entered: number, now: Date) => void;
  /** Sees every customer's events and every message outcome (tests compare timelines with it). */
  trace?: TraceSink;
};

type TraceSink = {
  event?: (userId: string, at: number, event: Record<string, unknown>) => void;
  message?: (userId: string, at: number, stepId: string, status: string) => void;
};

/** Customers generated ahead of the clock: enough to batch, few enough that memory stays flat as N grows. */
const ENTRY_WINDOW = 256;

export async function simulate(options: SimulateOptions): Promise<Forecast> {
  const { scenario, customers: count } = options;
  const start = new Date(scenario.start);
  const zones = new Map<number, string>();
  const tally = new Tally((userId) => zones.get(Number(userId.slice(4))));
  const world = await createWorld(start, {
    sent: (input, output, at) => {
      tally.message(input, output, at);
      options.trace?.message?.(input.userId, at, input.stepId, output.status);
    },
    sendFailed: (input) => {
      tally.failures += 1;
      options.trace?.message?.(input.userId, world.timers.now, input.stepId, 'failed');
    },
    invoked: (fn) => tally.invoked(fn),
  });
  setClock(() => new Date(world.timers.now));
  try {
    await world.deploy(options.journey, options.templates);
    let next = 0;
    let waiting = 0;
    const enter = (customer: Customer) => {
      zones.set(next, customer.timezone);
      waiting += 1;
      for (const [i, { at, event }] of customer.events.entries())
        world.timers.at(at, async () => {
          if (i === 0) waiting -= 1;
          options.trace?.event?.(customer.userId, at, event);
          tally.events += 1;
          tally.invoked('ingest');
          const result = await world.ingest(event);
          if (result.status !== 'rejected') tally.enrolled += result.enrolled.length;
        });
    };
    // Customers enter in time order: the next one is generated before the clock could pass its entry.
    const feed = () => {
      while (
        next < count &&
        (waiting < ENTRY_WINDOW || entryTime(scenario, next, count) <= world.timers.nextAt)
      ) {
        enter(customerOf(scenario, next, count));
        next += 1;
        tally.customers = next;
      }
    };
    feed();
    let ticks = 0;
    await world.timers.run(Number.POSITIVE_INFINITY, () => {
      feed();
      if (++ticks % 20_000 === 0) options.progress?.(next, new Date(world.timers.now));
    });
    options.progress?.(next, new Date(world.timers.now));
    return await forecastOf(world, tally, options.journey.id);
  } finally {
    resetClock();
  }
}
