/**
 * `npm test`: Biome, then tsc beside the vitest suite, then both verdicts.
 * tsc (TypeScript 7, the native compiler) checks on one thread in about a
 * quarter of the CPU TypeScript 5.9 took, and half that again once its
 * incremental state exists: run first and alone, it would leave one of the
 * two cores idle; on more threads it takes more CPU from the tests for the
 * same report (docs/typescript.md). Its report prints after vitest's.
 * Arguments go to vitest (`npm test -- test/unit`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildCli } from '#infra/cli/bundle/build.ts';
import { cacheDir, freshEntry, PROJECT_ROOT } from '#infra/cli/bundle/cache.js';

const bin = (name: string) => join(PROJECT_ROOT, 'node_modules', '.bin', name);

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

// Incremental: a later run re-checks only what changed since (about half the CPU), the state under node_modules/.cache.
const typecheck = spawn(
  bin('tsc'),
  [
    '--noEmit',
    '--singleThreaded',
    '--incremental',
    '--tsBuildInfoFile',
    join(PROJECT_ROOT, 'node_modules', '.cache', 'journeys-tsc', 'tsbuildinfo'),
  ],
  { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
);
const report: Buffer[] = [];
typecheck.stdout?.on('data', (chunk: Buffer) => report.push(chunk));
typecheck.stderr?.on('data', (chunk: Buffer) => report.push(chunk));
const typechecked = exited(typecheck);

const lint = await exited(spawn(bin('biome'), ['check', '.'], { cwd: PROJECT_ROOT, stdio: 'inherit' }));
if (lint !== 0) {
  typecheck.kill();
  process.exit(lint);
}
boundModuleCache();
// The CLI subprocess tests run the bundle, as users do (or, if it cannot be built, the sources).
if (freshEntry(cacheDir()) === undefined)
  await buildCli().catch((error: unknown) => console.warn(`journeys CLI bundle not built: ${String(error)}`));
const tests = await exited(
  spawn(bin('vitest'), ['run', ...process.argv.slice(2)], { cwd: PROJECT_ROOT, stdio: 'inherit' }),
);
const types = await typechecked;
process.stdout.write(Buffer.concat(report));
console.log(types === 0 ? 'tsc: no type errors' : 'tsc: type errors above');
process.exit(tests !== 0 ? tests : types);

/**
 * Vitest's module cache (vitest.config.ts) adds a file for each new version
 * of a module it transforms and never removes one: past a few full runs'
 * worth of files it starts afresh (the next run transforms everything once).
 */
function boundModuleCache(): void {
  const dir = join(PROJECT_ROOT, 'node_modules', '.experimental-vitest-cache');
  const MAX_FILES = 5_000;
  let files: number;
  try {
    files = readdirSync(dir).length;
  } catch {
    return;
  }
  if (files > MAX_FILES) rmSync(dir, { recursive: true, force: true });
}
