import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';

/**
 * `SIMULATE_AB=<other project folder> npm run bench -- simulate-ab`: one
 * shard of cart-abandonment customers (SIMULATE_AB_CUSTOMERS, default 600)
 * run by this folder's sources and by another's (a checkout of an earlier
 * commit, say), in one process, one after the other, SIMULATE_AB_ROUNDS
 * times (default 8; the order turns each round), after one uncounted run of
 * 100 customers each. Prints each run's CPU time
 * (user + system), the median of each and their ratio, and whether both
 * counted the same; asserts nothing.
 *
 * On a machine others share, CPU time itself grows with the load (cores and
 * caches shared), by 20–60 % and more, and the load changes from minute to
 * minute: two trees measured by separate runs minutes apart differ by more
 * than most changes. Runs a few seconds apart in one process see the same
 * load. The other folder needs its node_modules (a link to this one's will do).
 *
 * SIMULATE_AB_SHARDS=N runs shard 0 of N of N times as many customers:
 * the same number per run, with the share of hot items (HOT_ITEMS / N) a
 * worker of N has. At 600 customers in one shard every item stays hot and
 * nothing is packed; SIMULATE_AB_SHARDS=50 SIMULATE_AB_CUSTOMERS=2000 has a
 * 100,000-customer worker's ratio (one hot item per five customers), so
 * packing and unpacking count as they do there.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const OTHER = process.env.SIMULATE_AB;
const CUSTOMERS = Number(process.env.SIMULATE_AB_CUSTOMERS ?? 600);
const ROUNDS = Number(process.env.SIMULATE_AB_ROUNDS ?? 8);
const SHARDS = Number(process.env.SIMULATE_AB_SHARDS ?? 1);

const CHILD = `
import { setFlagsFromString } from 'node:v8';
const [customers, rounds, shards, ...roots] = process.argv.slice(1);
setFlagsFromString('--heap-growing-percent=50');
const trees = [];
for (const root of roots) {
  const { loadInputs } = await import(root + '/infra/simulate/cli/inputs.ts');
  const { runShard } = await import(root + '/infra/simulate/run/shard.ts');
  const loaded = await loadInputs(root + '/journeys/cart-abandonment.json', root + '/journeys/simulations/cart-abandonment.json');
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  trees.push({ runShard, inputs: loaded.inputs, cpu: [], totals: undefined });
}
// Each tree once, uncounted: the first runs would also pay for compiling the code the trees share.
for (const tree of trees) await tree.runShard({ ...tree.inputs, customers: 100 * Number(shards), shard: 0, of: Number(shards) });
const text = (totals) => JSON.stringify(totals, (_k, v) => (v instanceof Map ? [...v] : typeof v === 'bigint' ? String(v) : v));
for (let round = 0; round < Number(rounds); round++) {
  for (let i = 0; i < trees.length; i++) {
    const tree = trees[round % 2 === 0 ? i : trees.length - 1 - i];
    globalThis.gc();
    const before = process.cpuUsage();
    const totals = await tree.runShard({ ...tree.inputs, customers: Number(customers) * Number(shards), shard: 0, of: Number(shards) });
    const used = process.cpuUsage(before);
    tree.cpu.push((used.user + used.system) / 1e6);
    tree.totals ??= text(totals);
  }
}
console.log(JSON.stringify({ cpu: trees.map((t) => t.cpu), same: trees.every((t) => t.totals === trees[0].totals) }));
`;

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function runSimulateAbBench(): void {
  if (OTHER === undefined) {
    console.log('simulate-ab: set SIMULATE_AB to the project folder to compare with');
    return;
  }
  const load = () => (loadavg()[0] ?? 0).toFixed(2);
  console.log(
    `simulate A/B, cart-abandonment, ${CUSTOMERS} customers in one thread (shard 0 of ${SHARDS}), ${ROUNDS} rounds, load ${load()}`,
  );
  // The young generation a worker of `journeys simulate` is given (shards.ts).
  const out = execFileSync(
    process.execPath,
    [
      '--max-semi-space-size=32',
      '--expose-gc',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      CHILD,
      String(CUSTOMERS),
      String(ROUNDS),
      String(SHARDS),
      ROOT,
      OTHER,
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      maxBuffer: 1 << 20,
    },
  );
  const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { cpu: number[][]; same: boolean };
  const [here = [], there = []] = r.cpu;
  const runs = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  console.log(`  this folder  ${runs(here)} s CPU, median ${median(here).toFixed(2)}`);
  console.log(`  ${OTHER}  ${runs(there)} s CPU, median ${median(there).toFixed(2)}`);
  const ratios = here.map((x, i) => x / (there[i] ?? Number.NaN));
  console.log(
    `  this / other, per round: ${ratios.map((x) => x.toFixed(2)).join(' ')}, median ${median(ratios).toFixed(2)}; counts ${r.same ? 'the same' : 'DIFFER'}; load after ${load()}`,
  );
}
