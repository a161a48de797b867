/**
 * Builds the `journeys` CLI into bundles that Node.js runs without a
 * TypeScript loader: main.mjs (the command line, an ES module), the module
 * simulation workers start on, and one CommonJS bundle per command, run with
 * V8's code cache (command-bundle.ts), so `journeys validate` loads 4 files
 * instead of ~170 modules compiled by tsx at every start. `bin.js` runs them while they are current
 * (cache.js); `npm install` (prepare), `npm start` and `npm test` build them.
 *
 * `tsx infra/cli/bundle/build.ts [--if-stale]` builds, and says so.
 */
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { SHARD_BUNDLE, SHARD_SOURCE } from '#infra/simulate/run/shard-entry.ts';
import { type BundleManifest, cacheDir, freshEntry, MANIFEST_FILE, PROJECT_ROOT } from './cache.js';
import { IMPORT_META_RESOLVE } from './command-bundle.ts';
import { commandsApart, lazyExternals, sourceLocation } from './plugins.ts';

/** Older builds kept: a process that read the previous manifest may still be loading its command's bundle. */
const OLD_BUILDS_KEPT = 1;

/**
 * Files whose change must rebuild besides the sources esbuild read: the
 * build itself, the import map and compiler settings, and the lockfiles
 * (npm rewrites node_modules/.package-lock.json on every install: one file
 * standing for every bundled package).
 */
const EXTRA_INPUTS = [
  'infra/cli/bundle/build.ts',
  'infra/cli/bundle/plugins.ts',
  'package.json',
  'tsconfig.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
];

const COMMANDS_DIR = join(PROJECT_ROOT, 'infra', 'cli', 'commands');

type BuildResult = { entry: string; inputs: number; ms: number };

/** Builds the CLI into a new folder of `dir`, then makes it current by replacing the manifest. */
export async function buildCli(dir = cacheDir()): Promise<BuildResult> {
  const started = performance.now();
  const startedAt = Date.now();
  // A folder per build: a process running the previous build keeps its files while this one is written.
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const outdir = join(dir, 'builds', id);
  const shared = {
    absWorkingDir: PROJECT_ROOT,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // package.json's "sideEffects" describes the Lambda bundles; the CLI keeps every import's effects.
    ignoreAnnotations: true,
    metafile: true,
    logLevel: 'silent',
  } as const;
  const [main, commands] = await Promise.all([
    build({
      ...shared,
      entryPoints: {
        main: 'infra/cli/main.ts',
        [SHARD_BUNDLE.replace(/\.mjs$/, '')]: SHARD_SOURCE,
      },
      outExtension: { '.js': '.mjs' },
      format: 'esm',
      // Bundled CommonJS packages, and the lazily required external ones, call require().
      banner: {
        js: "import { createRequire as __journeysRequire } from 'node:module'; const require = __journeysRequire(import.meta.url);",
      },
      plugins: [sourceLocation, lazyExternals, commandsApart],
    }),
    // CommonJS, which V8 can be given the compiled code of (command-bundle.ts); strict as ES modules are.
    build({
      ...shared,
      entryPoints: await commandEntryPoints(),
      outExtension: { '.js': '.cjs' },
      format: 'cjs',
      banner: { js: "'use strict';" },
      define: { 'import.meta.resolve': IMPORT_META_RESOLVE },
      plugins: [sourceLocation, lazyExternals],
    }),
  ]);
  const inputs = [...Object.keys(main.metafile.inputs), ...Object.keys(commands.metafile.inputs)];
  const sources = inputs.filter((path) => !path.startsWith('node_modules/') && !path.includes(':'));
  const manifest: BundleManifest = {
    root: PROJECT_ROOT,
    entry: relative(dir, join(outdir, 'main.mjs')),
    inputs: await recordInputs([...sources, ...EXTRA_INPUTS]),
  };
  // Sizes and times are taken after the build: one edited meanwhile may not be what esbuild read.
  const edited = manifest.inputs.find(([, , mtimeMs]) => mtimeMs >= startedAt);
  if (edited !== undefined) throw new Error(`${edited[0]} changed while the CLI was being built`);
  // Written whole, then renamed over the old one: a concurrent reader sees one manifest or the other.
  const temporary = join(dir, `${MANIFEST_FILE}.${id}`);
  await writeFile(temporary, JSON.stringify(manifest));
  await rename(temporary, join(dir, MANIFEST_FILE));
  await pruneBuilds(join(dir, 'builds'), id);
  return {
    entry: pathToFileURL(join(outdir, 'main.mjs')).href,
    inputs: manifest.inputs.length,
    ms: performance.now() - started,
  };
}

/** Each command module, as a bundle of its own (see commandsApart). */
async function commandEntryPoints(): Promise<Record<string, string>> {
  const commands = (await readdir(COMMANDS_DIR)).filter((file) => file.endsWith('.ts'));
  return Object.fromEntries(
    commands.map((file) => [`commands/${file.slice(0, -'.ts'.length)}`, `infra/cli/commands/${file}`]),
  );
}

async function recordInputs(paths: readonly string[]): Promise<BundleManifest['inputs']> {
  const recorded: BundleManifest['inputs'] = [];
  for (const path of new Set(paths)) {
    const stats = await stat(join(PROJECT_ROOT, path)).catch(() => undefined);
    if (stats !== undefined) recorded.push([path, stats.size, stats.mtimeMs]);
  }
  return recorded;
}

/** Removes all but the newest builds (ids sort by time). */
async function pruneBuilds(buildsDir: string, current: string): Promise<void> {
  const ids = (await readdir(buildsDir)).filter((id) => id !== current).sort();
  const old = ids.slice(0, Math.max(0, ids.length - OLD_BUILDS_KEPT));
  await Promise.all(old.map((id) => rm(join(buildsDir, id), { recursive: true, force: true })));
}

// Run as a script. A failed build is reported, not fatal: bin.js runs the sources until a build succeeds.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--if-stale') && freshEntry(cacheDir()) !== undefined) process.exit(0);
  await buildCli().then(
    ({ inputs, ms }) => console.log(`journeys CLI bundle built from ${inputs} files in ${ms.toFixed(0)} ms`),
    (error: unknown) =>
      console.warn(
        `journeys CLI bundle not built, the CLI runs from its sources: ${error instanceof Error ? error.message : String(error)}`,
      ),
  );
}
