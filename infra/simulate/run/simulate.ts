import { setFlagsFromString } from 'node:v8';
import type { Journey } from '#shared/journey/schema.ts';
import type { Template } from '#shared/templates.ts';
import type { Scenario } from '../scenario/spec.ts';
import { type Forecast, forecastOf } from './forecast.ts';
import { runShard, type TraceSink } from './shard.ts';
import { runShards } from './shards.ts';
import { mergeTotals } from './totals.ts';

/**
 * Runs a journey for N synthetic customers on journey time (see shard.ts),
 * in this thread or split across worker threads: customers are independent,
 * so each worker runs every `workers`-th customer in a world of its own and
 * the counts are summed — the same forecast whatever the number of workers.
 */

export type SimulateOptions = {
  journey: Journey;
  templates: ReadonlyMap<string, Template>;
  scenario: Scenario;
  customers: number;
  /** Threads running customers (1, the default: this one); never more than there are customers. */
  workers?: number;
  /** Called now and then with the customers entered so far and journey time. */
  progress?: (entered: number, now: Date) => void;
  /** Sees every customer's events and every message outcome, in this thread only (workers: 1). */
  trace?: TraceSink;
};

/**
 * How far V8 lets the heap grow past what a full collection left, in percent,
 * while a simulation runs. Left to itself V8 grows it up to four times for a
 * program that allocates as fast as this one, and a forecast's live data (every
 * customer's items) is most of the heap: at 100,000 customers that was 2.8 GB
 * of RSS for under 1 GB of live data. At 100,000 customers in two workers
 * (packed items held flat), 50 % took 1.77 GB and 275 s of CPU, 75 % 1.88 GB
 * and 232–250 s, 100 % 2.01 GB and 233 s: past 75 % the heap grows and the
 * collections saved are few. V8's flags are the process's, so this holds for
 * every worker's heap too.
 */
const HEAP_GROWTH_PERCENT = 75;

export async function simulate(options: SimulateOptions): Promise<Forecast> {
  const workers = Math.max(1, Math.min(options.workers ?? 1, options.customers));
  if (workers > 1 && options.trace !== undefined)
    throw new Error('A traced simulation runs in one thread (workers: 1)');
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWTH_PERCENT}`);
  try {
    const totals =
      workers === 1 ? [await runShard({ ...options, shard: 0, of: 1 })] : await runShards(options, workers);
    return forecastOf(mergeTotals(totals), options.journey);
  } finally {
    // 0: V8 decides again.
    setFlagsFromString('--heap-growing-percent=0');
  }
}
