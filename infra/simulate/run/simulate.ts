import { setFlagsFromString } from 'node:v8';
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

/**
 * How far V8 lets the heap grow past what a full collection left, in percent,
 * while a simulation runs. Left to itself V8 grows it up to four times for a
 * program that allocates as fast as this one, and a forecast's live data (every
 * customer's items) is most of the heap: at 100,000 customers that was 2.8 GB
 * of RSS for under 1 GB of live data. 30 % costs about 7 % more CPU.
 */
const HEAP_GROWTH_PERCENT = 30;

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
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWTH_PERCENT}`);
  try {
    await world.deploy(options.journey, options.templates);
    let next = 0;
    let waiting = 0;
    const deliver = async (userId: string, at: number, event: Record<string, unknown>) => {
      options.trace?.event?.(userId, at, event);
      tally.events += 1;
      tally.invoked('ingest');
      const result = await world.ingest(event);
      if (result.status !== 'rejected') tally.enrolled += result.enrolled.length;
    };
    // Each timer is made by its own function, so that it holds only what it names.
    const deliverNow = (userId: string, at: number, event: Record<string, unknown>, first: boolean) => () => {
      if (first) waiting -= 1;
      return deliver(userId, at, event);
    };
    // A later event is made again from the customer's number when it is due: until then
    // 100,000 waiting customers hold a timer each, not their events (customers repeat exactly).
    const deliverLater = (userId: string, at: number, index: number, i: number) => () => {
      const again = customerOf(scenario, index, count).events[i];
      if (again === undefined) throw new Error(`Customer ${index} has no event ${i}`);
      return deliver(userId, at, again.event);
    };
    const enter = (customer: Customer, index: number) => {
      zones.set(index, customer.timezone);
      waiting += 1;
      const entered = customer.events[0]?.at ?? 0;
      for (const [i, { at, event }] of customer.events.entries())
        world.timers.at(
          at,
          at <= entered
            ? deliverNow(customer.userId, at, event, i === 0)
            : deliverLater(customer.userId, at, index, i),
        );
    };
    // Customers enter in time order: the next one is generated before the clock could pass its entry.
    const feed = () => {
      while (
        next < count &&
        (waiting < ENTRY_WINDOW || entryTime(scenario, next, count) <= world.timers.nextAt)
      ) {
        enter(customerOf(scenario, next, count), next);
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
    // 0: V8 decides again.
    setFlagsFromString('--heap-growing-percent=0');
  }
}
