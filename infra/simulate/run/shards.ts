import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as z from 'zod';
import { cacheDir, freshEntry } from '#infra/cli/bundle/cache.js';
import { runShard } from './shard.ts';
import { SHARD_BUNDLE, SHARD_SOURCE } from './shard-entry.ts';
import type { ShardRequest } from './shard-worker.ts';
import type { SimulateOptions } from './simulate.ts';
import { Totals } from './totals.ts';

/**
 * Runs a simulation's customers in `workers` threads — this one and
 * `workers - 1` worker threads — shard i taking customers i, i + workers, …,
 * and returns each shard's totals.
 *
 * A worker runs the CLI's prebuilt bundle of its entry when that bundle is
 * the build of the sources as they are now (as bin.js decides for the CLI),
 * else the sources themselves through tsx's loader, registered in the worker
 * (a loader registered in this thread does not reach a worker).
 */

const FromShard = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('progress'), entered: z.number(), now: z.number() }),
  z.object({ kind: z.literal('done'), totals: Totals }),
]);

/** The project folder, from this module's own location (kept in the CLI's bundle: see sourceLocation). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** This process's Node.js options, less the one that would refuse a worker's entry module (kept by `node -e`). */
function workerArgs(): string[] {
  return process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
}

function startWorker(request: ShardRequest): Worker {
  const execArgv = workerArgs();
  const bundle = freshEntry(cacheDir(ROOT), ROOT);
  if (bundle !== undefined)
    return new Worker(new URL(SHARD_BUNDLE, bundle), { workerData: request, execArgv });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = pathToFileURL(join(ROOT, SHARD_SOURCE)).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: request, execArgv });
}

export async function runShards(options: SimulateOptions, workers: number): Promise<Totals[]> {
  const entered = new Array<number>(workers).fill(0);
  let latest = 0;
  const report = (index: number, count: number, now: number) => {
    entered[index] = count;
    latest = Math.max(latest, now);
    options.progress?.(
      entered.reduce((a, b) => a + b, 0),
      new Date(latest),
    );
  };
  const started: Worker[] = [];
  const shard = (index: number) =>
    new Promise<Totals>((resolve, reject) => {
      const worker = startWorker({
        journey: options.journey,
        templates: new Map(options.templates),
        scenario: options.scenario,
        customers: options.customers,
        shard: index,
        of: workers,
      });
      started.push(worker);
      let totals: Totals | undefined;
      worker.on('message', (message: unknown) => {
        const parsed = FromShard.safeParse(message);
        if (!parsed.success) return reject(new Error(`Shard ${index} sent ${parsed.error.message}`));
        if (parsed.data.kind === 'done') {
          totals = parsed.data.totals;
          return;
        }
        report(index, parsed.data.entered, parsed.data.now);
      });
      worker.on('error', reject);
      worker.on('exit', (code) =>
        totals === undefined
          ? reject(new Error(`Shard ${index} stopped (exit code ${code})`))
          : resolve(totals),
      );
    });
  try {
    const inWorkers = Array.from({ length: workers - 1 }, (_, i) => shard(i + 1));
    // Shard 0 here, meanwhile: a thread that would only wait, and one isolate (its heap, code and caches) fewer.
    const here = runShard({
      journey: options.journey,
      templates: options.templates,
      scenario: options.scenario,
      customers: options.customers,
      shard: 0,
      of: workers,
      progress: (count, now) => report(0, count, now.getTime()),
    });
    return await Promise.all([here, ...inWorkers]);
  } finally {
    // One shard failing stops the others: their totals would be half of an answer.
    await Promise.all(started.map((worker) => worker.terminate()));
  }
}
