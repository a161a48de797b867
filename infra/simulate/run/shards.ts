import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as z from 'zod';
import { cacheDir, freshEntry } from '#infra/cli/bundle/cache.js';
import { SHARD_BUNDLE, SHARD_SOURCE } from './shard-entry.ts';
import type { ShardRequest } from './shard-worker.ts';
import type { SimulateOptions } from './simulate.ts';
import { Totals } from './totals.ts';

/**
 * Runs a simulation's customers in `workers` worker threads, shard i taking
 * customers i, i + workers, …, and returns each shard's totals. This thread
 * only waits: a worker's heap can be given a larger young generation (see
 * LIMITS), this thread's cannot once Node.js has started.
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

/**
 * This process's Node.js options, less those a worker refuses: the one that
 * would refuse its entry module (kept by `node -e`), and V8's GC tracing,
 * which a worker refuses in its options but which, being V8's, traces every
 * worker's heap already (`node --trace-gc … simulate` shows each shard's
 * collections).
 */
function workerArgs(): string[] {
  return process.execArgv.filter((arg) => !arg.startsWith('--input-type') && !arg.startsWith('--trace-gc'));
}

/**
 * Each worker's young generation (V8's nursery: 96 MB is three 32 MB
 * semi-spaces, against 16 MB ones by default). A simulation allocates fast and
 * keeps little of it: a larger nursery lets more of that die before it is
 * copied, so each worker spends about 5 % less CPU, for about 65 MB more RSS
 * each. Only a new isolate takes it, so every shard runs in a worker.
 */
const LIMITS = { maxYoungGenerationSizeMb: 96 };

function startWorker(request: ShardRequest): Worker {
  const execArgv = workerArgs();
  const bundle = freshEntry(cacheDir(ROOT), ROOT);
  if (bundle !== undefined)
    return new Worker(new URL(SHARD_BUNDLE, bundle), {
      workerData: request,
      execArgv,
      resourceLimits: LIMITS,
    });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = pathToFileURL(join(ROOT, SHARD_SOURCE)).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: request, execArgv, resourceLimits: LIMITS });
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
    return await Promise.all(Array.from({ length: workers }, (_, i) => shard(i)));
  } finally {
    // One shard failing stops the others: their totals would be half of an answer.
    await Promise.all(started.map((worker) => worker.terminate()));
  }
}
