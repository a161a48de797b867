import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run bench -- simulate`: `journeys simulate` on cart-abandonment for
 * 10,000 and 100,000 customers (SIMULATE_SIZES=1000,10000 to choose), each in
 * its own process so the peak RSS is that run's alone. Prints wall time,
 * CPU time (the process's own, all threads, user + system: on a shared
 * machine wall time also counts other processes), customers per second,
 * peak RSS (the whole process, every worker) and the load average; asserts
 * nothing. SIMULATE_WORKERS sets the worker threads (default: the cores).
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SIZES = (process.env.SIMULATE_SIZES ?? '10000,100000').split(',').map(Number);
const WORKERS = Number(process.env.SIMULATE_WORKERS ?? availableParallelism());

const CHILD = `
import { loadInputs } from '#infra/simulate/cli/inputs.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';
const loaded = await loadInputs('journeys/cart-abandonment.json', 'journeys/simulations/cart-abandonment.json');
if (!loaded.ok) throw new Error(loaded.problems.join('; '));
const started = performance.now();
const cpu = process.cpuUsage();
const f = await simulate({ ...loaded.inputs, customers: Number(process.argv[1]), workers: Number(process.argv[2]) });
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
const sent = f.messages.sent.email + f.messages.sent.sms + f.messages.sent.push;
console.log(JSON.stringify({ wallMs, cpuMs, peakRssMb: process.resourceUsage().maxRSS / 1024, enrolled: f.enrolled, sent, transitions: f.transitions, writeUnits: f.usage.dynamoWriteUnits, readUnits: f.usage.dynamoReadUnits }));
`;

/** The 1-minute load average: on a shared machine, how much else ran meanwhile. */
function loadAverage(): string {
  return (loadavg()[0] ?? 0).toFixed(2);
}

export function runSimulateBench(): void {
  // As `npm install` leaves it: worker threads start from the CLI's bundle, not from sources compiled by tsx in each.
  execFileSync(process.execPath, ['--import', 'tsx', 'infra/cli/bundle/build.ts', '--if-stale'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  console.log(
    `journeys simulate, cart-abandonment, journeys/simulations/cart-abandonment.json, ${WORKERS} thread(s) running customers (SIMULATE_WORKERS), load ${loadAverage()}`,
  );
  for (const customers of SIZES) {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD, String(customers), String(WORKERS)],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        maxBuffer: 1 << 20,
      },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    const perSecond = customers / (r.wallMs / 1000);
    const perCpuSecond = customers / (r.cpuMs / 1000);
    console.log(
      `  ${customers.toLocaleString('en-US').padStart(7)} customers, ${WORKERS} threads: ${(r.wallMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU, ${perSecond.toFixed(0)} customers/s (${perCpuSecond.toFixed(0)} per CPU second), peak RSS ${r.peakRssMb.toFixed(0)} MB (${r.enrolled} enrolled, ${r.sent} messages, ${r.transitions} transitions, ${r.writeUnits} WCU, ${r.readUnits} RCU), load after ${loadAverage()}`,
    );
  }
}
