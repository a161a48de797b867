import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '#infra/cli/bundle/build.ts';
import { freshEntry } from '#infra/cli/bundle/cache.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const counter = fileURLToPath(new URL('./cli-startup/count-modules.mjs', import.meta.url));
const cpuTimer = fileURLToPath(new URL('./cli-startup/cpu-time.mjs', import.meta.url));

/** What a user types, as the CLI's arguments. */
const COMMANDS: Record<string, string[]> = {
  validate: ['validate', 'journeys/cart-abandonment.json'],
  '--help': ['--help'],
};

/** Target of `journeys validate <file>`, start to exit, on a 2-core machine. */
export const TARGET_MS = 500;

type Env = Record<string, string>;

/** Wall time of one run, and the CPU time it used (cpu-time.mjs). */
type Timing = { ms: number; cpuMs: number };

function run(args: string[], env: Env, extra: string[] = []): number {
  return timed([...extra, 'infra/cli/bin.js', ...args], env, `journeys ${args.join(' ')}`).ms;
}

function timed(argv: string[], env: Env, name: string): Timing {
  const dir = mkdtempSync(join(tmpdir(), 'journeys-cli-cpu-'));
  try {
    const file = join(dir, 'cpu');
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', cpuTimer, ...argv], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env, CPU_TIME_FILE: file },
      encoding: 'utf8',
    });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
    return { ms, cpuMs: Number(readFileSync(file, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function modulesLoaded(args: string[], env: Env): number {
  const dir = mkdtempSync(join(tmpdir(), 'journeys-cli-bench-'));
  try {
    const file = join(dir, 'count');
    run(args, { ...env, MODULE_COUNT_FILE: file }, ['--import', counter]);
    return Number(readFileSync(file, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function minMedian(times: number[]): [number, number] {
  const sorted = [...times].sort((a, b) => a - b);
  return [sorted[0] ?? Number.NaN, sorted[Math.floor(sorted.length / 2)] ?? Number.NaN];
}

function row(name: string, how: string, modules: string, timings: Timing[]): void {
  const [min, median] = minMedian(timings.map((t) => t.ms));
  const [, cpu] = minMedian(timings.map((t) => t.cpuMs));
  console.log(
    `${name.padEnd(10)}${how.padEnd(16)}${modules.padStart(8)}${min.toFixed(0).padStart(9)}${median.toFixed(0).padStart(11)}${cpu.toFixed(0).padStart(12)}`,
  );
}

/**
 * Prints, per command, the modules a `journeys` process loads, its wall
 * time (min/median of `runs`) and its CPU time (median: what to compare on a
 * loaded machine), run from the sources through tsx (what
 * bin.js does when the bundle is missing or stale) and from the prebuilt
 * bundle; then the bundle's build time and the cost of bin.js's freshness check.
 */
export async function runCliBench(runs = 7): Promise<void> {
  // Builds of their own, in folders of their own: the bench neither uses nor replaces the project's.
  const withBundle = mkdtempSync(join(tmpdir(), 'journeys-cli-bundle-'));
  const withoutBundle = mkdtempSync(join(tmpdir(), 'journeys-cli-none-'));
  try {
    const built = await buildCli(withBundle);
    const ways: [string, Env][] = [
      ['sources (tsx)', { JOURNEYS_CLI_CACHE: withoutBundle }],
      ['bundle', { JOURNEYS_CLI_CACHE: withBundle }],
    ];
    console.log(`journeys CLI start-up: node ${process.version}, a fresh process per run, ${runs} runs`);
    console.log(`target: validate <= ${TARGET_MS} ms\n`);
    console.log(
      `${'command'.padEnd(10)}${'runs from'.padEnd(16)}${'modules'.padStart(8)}${'min ms'.padStart(9)}${'median ms'.padStart(11)}${'median CPU'.padStart(12)}`,
    );
    // An empty Node.js process: the floor, and a measure of how loaded the machine is.
    row(
      'node -e 0',
      '',
      '-',
      Array.from({ length: runs }, () => timed(['-e', '0'], {}, 'node -e 0')),
    );
    for (const [name, args] of Object.entries(COMMANDS)) {
      for (const [how, env] of ways) {
        // Warms the file system cache, tsx's transform cache and the bundle's code cache.
        run(args, env);
        const timings = Array.from({ length: runs }, () =>
          timed(['infra/cli/bin.js', ...args], env, `journeys ${args.join(' ')}`),
        );
        row(name, how, String(modulesLoaded(args, env)), timings);
      }
    }
    const checks = Array.from({ length: 21 }, () => {
      const started = performance.now();
      if (freshEntry(withBundle) === undefined) throw new Error('the bench build is not current');
      return performance.now() - started;
    });
    const [, check] = minMedian(checks);
    console.log(
      `\nbundle: built in ${built.ms.toFixed(0)} ms from ${built.inputs} files; bin.js's freshness check (stat each): ${check.toFixed(1)} ms`,
    );
  } finally {
    rmSync(withBundle, { recursive: true, force: true });
    rmSync(withoutBundle, { recursive: true, force: true });
  }
}
