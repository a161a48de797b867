import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import type { LocalRuntime } from '#infra/local/index.ts';
import { boot, identify, putEvents, sandbox, track } from '../e2e/support/local-runtime.ts';

/**
 * The local runtime's memory per idle customer: heap after GC (and RSS) with
 * N customers enrolled in cart-abandonment and waiting — first in its
 * one-hour Wait, then for the order (a task token) — minus the same runtime
 * with none; then the heap's growth over 10 minutes of idle journey time,
 * advanced second by second as interactive mode would. Each size runs in its
 * own process with `--expose-gc`. `JOURNEYS_BENCH_CUSTOMERS=1000,5000` sets the sizes.
 *
 * Then, for the largest size only, the idle phase in wall time: the clock
 * follows the wall clock as under `npm start` (its ticker, the folder
 * watcher and every other timer running) for `JOURNEYS_BENCH_IDLE_S` seconds
 * (default 600; 0 skips it), heap and RSS sampled after GC five times along.
 */
export async function runLocalMemoryBench(): Promise<void> {
  const sizes = (process.env.JOURNEYS_BENCH_CUSTOMERS ?? '1000,2000').split(',').map(Number);
  const idleSeconds = Number(process.env.JOURNEYS_BENCH_IDLE_S ?? '600');
  if (!(idleSeconds >= 0))
    throw new Error(`JOURNEYS_BENCH_IDLE_S must be a number of seconds, got ${idleSeconds}`);
  const largest = Math.max(...sizes);
  for (const size of sizes) console.log(await child(size, size === largest ? idleSeconds : 0));
}

function child(customers: number, idleSeconds: number): Promise<string> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, String(customers), String(idleSeconds)],
      {
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
      (error, stdout) => {
        const lines = stdout.split('\n').filter((line) => line.startsWith('  '));
        resolve(error === null ? lines.join('\n') : `  ${customers} customers: FAILED ${error.message}`);
      },
    );
  });
}

type Sample = { heap: number; rss: number };

function sample(): Sample {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc === 'function') {
    gc();
    gc();
  }
  return { heap: getHeapStatistics().used_heap_size, rss: process.memoryUsage().rss };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function measure(customers: number, idleSeconds: number): Promise<void> {
  const box = await sandbox(['cart-abandonment']);
  const runtime = await boot(box);
  const { clock, sfn } = runtime.services;
  await runtime.settled();
  const empty = sample();
  await enroll(runtime, customers);
  await runtime.settled();
  const inWait = sample();
  await runtime.advanceTo(clock.nowMs() + 2 * 3_600_000);
  const onToken = sample();
  for (let second = 1; second <= 600; second += 1) await runtime.advanceTo(clock.nowMs() + 1_000);
  const idle = sample();
  const per = (s: Sample, key: keyof Sample) => kb((s[key] - empty[key]) / customers);
  console.log(
    `  ${customers} customers (${sfn.parkedCount()} parked, ${sfn.runningCount()} at work): ` +
      `per customer in a Wait ${per(inWait, 'heap')} heap / ${per(inWait, 'rss')} RSS; ` +
      `waiting on a token ${per(onToken, 'heap')} heap / ${per(onToken, 'rss')} RSS`,
  );
  console.log(
    `  ${customers} customers: heap ${(empty.heap / 1e6).toFixed(1)} MB empty, ${(onToken.heap / 1e6).toFixed(1)} MB waiting; ` +
      `after 10 min of idle journey time ${((idle.heap - onToken.heap) / 1024).toFixed(0)} KB growth`,
  );
  if (idleSeconds > 0) await idleInWallTime(runtime, customers, idleSeconds);
  await runtime.stop();
  await box.remove();
}

/**
 * Sends each customer's identify and cart event. The events are built here
 * and dropped once sent: the samples count what the runtime keeps, not the
 * bench's own copy of what it sent (about 0.8 KB of heap per customer).
 */
async function enroll(runtime: LocalRuntime, customers: number): Promise<void> {
  const events = Array.from({ length: customers }, (_, i) => [
    identify(`memory-${i}`, 'Etc/GMT'),
    track(`memory-${i}`, 'Cart Updated', { cartId: `cart-${i}`, total: 40 }),
  ]).flat();
  await putEvents(runtime, events);
}

/** The runtime left alone as under `npm start`: journey time follows the wall clock, every timer runs. */
async function idleInWallTime(runtime: LocalRuntime, customers: number, seconds: number): Promise<void> {
  const { clock } = runtime.services;
  // The time scale `npm start` runs at (a minute of journey time per idle second).
  clock.runWithWallClock(60);
  const start = sample();
  const samples: Sample[] = [];
  for (let step = 1; step <= 5; step += 1) {
    await sleep((seconds * 1000) / 5);
    samples.push(sample());
  }
  clock.stopWallClock();
  await runtime.settled();
  const end = samples.at(-1) ?? start;
  const growth = (s: Sample) => `${((s.heap - start.heap) / 1024).toFixed(0)}`;
  console.log(
    `  ${customers} customers idle ${seconds} s of wall time (interactive clock): ` +
      `heap ${(start.heap / 1e6).toFixed(1)} → ${(end.heap / 1e6).toFixed(1)} MB ` +
      `(${growth(end)} KB; along the way ${samples.map(growth).join(', ')} KB), ` +
      `RSS ${(start.rss / 1e6).toFixed(1)} → ${(end.rss / 1e6).toFixed(1)} MB`,
  );
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] !== undefined) {
  await measure(Number(process.argv[2]), Number(process.argv[3] ?? '0'));
  // Handler SDK clients keep sockets open; the figures are printed.
  process.exit(0);
}
