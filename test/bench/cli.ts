import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const counter = fileURLToPath(new URL('./cli-startup/count-modules.mjs', import.meta.url));

/** What a user types, as the CLI's arguments. */
const COMMANDS: Record<string, string[]> = {
  validate: ['validate', 'journeys/cart-abandonment.json'],
  '--help': ['--help'],
};

/** Target of `journeys validate <file>`, start to exit, on a 2-core machine. */
export const TARGET_MS = 500;

function run(args: string[], extra: string[] = [], env: Record<string, string> = {}): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...extra, 'infra/cli/bin.js', ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`journeys ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

function emptyNode(): number {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - started;
}

function modulesLoaded(args: string[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'journeys-cli-bench-'));
  try {
    const file = join(dir, 'count');
    run(args, ['--import', counter], { MODULE_COUNT_FILE: file });
    return Number(readFileSync(file, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints, per command, the modules a `journeys` process loads and its wall time (min/median of `runs`). */
export function runCliBench(runs = 7): void {
  console.log(`journeys CLI start-up: node ${process.version}, a fresh process per run, ${runs} runs`);
  console.log(`target: validate <= ${TARGET_MS} ms\n`);
  console.log(
    `${'command'.padEnd(12)}${'modules'.padStart(9)}${'min ms'.padStart(9)}${'median ms'.padStart(11)}`,
  );
  // An empty Node.js process: the floor, and a measure of how loaded the machine is.
  const empty = Array.from({ length: runs }, () => emptyNode()).sort((a, b) => a - b);
  console.log(
    `${'node -e 0'.padEnd(12)}${'-'.padStart(9)}${(empty[0] ?? Number.NaN).toFixed(0).padStart(9)}${(empty[Math.floor(runs / 2)] ?? Number.NaN).toFixed(0).padStart(11)}`,
  );
  for (const [name, args] of Object.entries(COMMANDS)) {
    run(args); // warms the file system cache and tsx's transform cache
    const times = Array.from({ length: runs }, () => run(args)).sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
    console.log(
      `${name.padEnd(12)}${String(modulesLoaded(args)).padStart(9)}${(times[0] ?? Number.NaN).toFixed(0).padStart(9)}${median.toFixed(0).padStart(11)}`,
    );
  }
}
