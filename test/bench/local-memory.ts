import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { boot, identify, putEvents, sandbox, track } from '../e2e/support/local-runtime.ts';

/**
 * The local runtime's memory per idle customer: heap after GC (and RSS) with
 * N customers enrolled in cart-abandonment and waiting — first in its
 * one-hour Wait, then for the order (a task token) — minus the same runtime
 * with none; then the heap's growth over 10 minutes of idle journey time,
 * advanced second by second as interactive mode would. Each size runs in its
 * own process with `--expose-gc`. `JOURNEYS_BENCH_CUSTOMERS=1000,5000` sets the sizes.
 */
export async function runLocalMemoryBench(): Promise<void> {
  const sizes = (process.env.JOURNEYS_BENCH_CUSTOMERS ?? '1000,2000').split(',').map(Number);
  for (const size of sizes) console.log(await child(size));
}

function child(customers: number): Promise<string> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, String(customers)],
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

async function measure(customers: number): Promise<void> {
  const box = await sandbox(['cart-abandonment']);
  const runtime = await boot(box);
  const { clock, sfn } = runtime.services;
  await runtime.settled();
  const empty = sample();
  const events = Array.from({ length: customers }, (_, i) => [
    identify(`memory-${i}`, 'Etc/GMT'),
    track(`memory-${i}`, 'Cart Updated', { cartId: `cart-${i}`, total: 40 }),
  ]).flat();
  await putEvents(runtime, events);
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
  await runtime.stop();
  await box.remove();
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] !== undefined) {
  await measure(Number(process.argv[2]));
  // Handler SDK clients keep sockets open; the figures are printed.
  process.exit(0);
}
