import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { describeSkipReason } from '#shared/ingest/entry-skip.ts';
import type { Journey } from '#shared/journey/schema.ts';
import type { Template } from '#shared/templates.ts';
import { HOT_ITEMS } from '../dynamo/memory-tables.ts';
import { type Customer, customerOf, entryTime } from '../scenario/customers.ts';
import { MessageOutcomes } from '../scenario/outcomes.ts';
import type { Scenario } from '../scenario/spec.ts';
import { createWorld } from '../world/world.ts';
import { Tally } from './tally.ts';
import type { Totals } from './totals.ts';

/**
 * Runs one shard of a simulation's customers — those whose number is
 * `shard` modulo `of` — in a world of its own, on journey time: each
 * customer enters at its moment, behaves as the scenario says, and the
 * journey's real compiled logic, handlers and delivery policy decide the
 * rest. Customers are generated when they enter; what the run keeps is
 * counters.
 *
 * Shards add up to one run of every customer because nothing a customer
 * does depends on another: consent, quiet hours, caps, entry limits and
 * re-entry are per customer; the registry and the pinned templates do not
 * change during a forecast (a forecast judges no experiment: each split keeps
 * its declared weights); the journey's stats counters are sums.
 */

export type ShardInput = {
  journey: Journey;
  templates: ReadonlyMap<string, Template>;
  scenario: Scenario;
  /** All the simulation's customers, not this shard's. */
  customers: number;
  shard: number;
  of: number;
  /** Called now and then with this shard's customers entered so far and journey time. */
  progress?: (entered: number, now: Date) => void;
  /** Sees every customer's events and every message outcome (tests compare timelines with it). */
  trace?: TraceSink;
};

export type TraceSink = {
  event?: (userId: string, at: number, event: Record<string, unknown>) => void;
  message?: (userId: string, at: number, stepId: string, status: string) => void;
};

/** Customers generated ahead of the clock: enough to batch, few enough that memory stays flat as N grows. */
const ENTRY_WINDOW = 256;

export async function runShard(options: ShardInput): Promise<Totals> {
  const { scenario, customers: count, shard, of } = options;
  const start = new Date(scenario.start);
  const zones = new Map<number, string>();
  const tally = new Tally((userId) => zones.get(Number(userId.slice(4))));
  const world = await createWorld(
    start,
    {
      sent: (input, output, at) => {
        tally.message(input, output, at);
        options.trace?.message?.(input.userId, at, input.stepId, output.status);
      },
      sendFailed: (input) => {
        tally.failures += 1;
        options.trace?.message?.(input.userId, world.timers.now, input.stepId, 'failed');
      },
      invoked: (fn) => tally.invoked(fn),
      ended: (ended) => tally.ended(ended.status, ended.error, ended.cause),
    },
    // The process's share: items are hot for as long in journey time, whatever the number of shards.
    Math.ceil(HOT_ITEMS / of),
    new MessageOutcomes(scenario.seed, scenario.messages),
  );
  setClock(() => new Date(world.timers.now));
  try {
    await world.deploy(options.journey, options.templates);
    const setup = { ...world.db.store.capacity };
    let next = shard;
    let entered = 0;
    let waiting = 0;
    const deliver = async (userId: string, at: number, event: Record<string, unknown>) => {
      options.trace?.event?.(userId, at, event);
      tally.events += 1;
      tally.invoked('ingest');
      const result = await world.ingest(event);
      if (result.status === 'rejected')
        for (const p of result.problems) tally.notEntered(`event refused by ingest: ${p.field}`);
      else {
        tally.enrolled += result.enrolled.length;
        for (const skip of result.skipped) tally.notEntered(describeSkipReason(skip));
      }
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
      const first = customer.events[0]?.at ?? 0;
      for (const [i, { at, event }] of customer.events.entries())
        world.timers.at(
          at,
          at <= first
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
        next += of;
        entered += 1;
        tally.customers = entered;
      }
    };
    feed();
    let ticks = 0;
    await world.timers.run(Number.POSITIVE_INFINITY, () => {
      feed();
      if (++ticks % 20_000 === 0) options.progress?.(entered, new Date(world.timers.now));
    });
    options.progress?.(entered, new Date(world.timers.now));
    const used = world.db.store.capacity;
    const run = { reads: used.reads - setup.reads, writes: used.writes - setup.writes };
    // Read after the run's units are taken: the forecast's own look at the counters costs the journey nothing.
    const { counters } = await world.stats.read(options.journey.id);
    return {
      ...tally.counts(),
      counters: counters.map(({ metric, stepId, variant, reason, count, sum, valued }) => ({
        metric,
        stepId,
        variant,
        reason,
        count,
        ...(sum === undefined ? {} : { sum }),
        ...(valued === undefined ? {} : { valued }),
      })),
      transitions: world.executions.transitions,
      executions: world.executions.started,
      providers: {
        emails: world.counts.emails,
        sms: world.counts.sms,
        smsParts: world.counts.smsParts,
        push: world.counts.push,
        events: world.counts.events,
      },
      feedback: [...world.feedback],
      setup,
      run,
      endedAt: world.timers.now,
    };
  } finally {
    resetClock();
  }
}
