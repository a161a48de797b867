import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { HOUSE_ESBUILD } from '#infra/constructs/bundling.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** One package (or project folder) and the bytes it adds to a bundle. */
export type Contributor = { name: string; bytes: number };

/** A chunk only `await import()` reaches: not compiled at a cold start, only when that code first runs. */
export type LazyChunk = { name: string; bytes: number; contributors: Contributor[] };

/**
 * What a bundle is made of, from esbuild's metafile: the bytes a cold import
 * compiles (`index.mjs` and the chunks it imports statically), by
 * contributor, and the lazy chunks of our own code beside them.
 */
export type BundleContents = { bytes: number; contributors: Contributor[]; lazy: LazyChunk[] };

/**
 * The stack's esbuild options ({@link HOUSE_ESBUILD}) as one output file
 * holding everything the function may ever load, lazy chunks included: for
 * checks of what a function's code reaches, not for sizes.
 */
export function houseOptions(): BuildOptions {
  const {
    splitting: _splitting,
    chunkNames: _chunkNames,
    outExtension: _outExtension,
    ...options
  } = HOUSE_ESBUILD;
  return { ...options, logLevel: 'error' };
}

/** A path from the metafile reduced to what a reader recognises: the package, or the project folder. */
function contributorOf(path: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inPackage?.[1]) return inPackage[1];
  const parts = path.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}/` : path;
}

/** The outputs `start` loads when imported: itself and what it imports statically, transitively. */
export function loadedAtImport(metafile: Metafile, start: string): string[] {
  const seen = new Set<string>([start]);
  for (const path of seen) {
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) seen.add(imported.path);
    }
  }
  return [...seen];
}

function contributorsOf(metafile: Metafile, outputs: readonly string[]): Contributor[] {
  const totals = new Map<string, number>();
  for (const output of outputs) {
    for (const [path, input] of Object.entries(metafile.outputs[output]?.inputs ?? {})) {
      const name = contributorOf(path);
      totals.set(name, (totals.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

const bytesOf = (metafile: Metafile, outputs: readonly string[]) =>
  outputs.reduce((sum, output) => sum + (metafile.outputs[output]?.bytes ?? 0), 0);

/**
 * Bundles `entry` (a file, or source text resolved from the project root) as
 * the stack does, in memory, and sums each contributor's bytes in what a cold
 * import loads. Lazy chunks are those of our own modules (`await import()` in
 * our code); the SDK's own (event streams, a browser's user agent) never load
 * in a function and are left out.
 */
export async function bundleContents(entry: string | { contents: string }): Promise<BundleContents> {
  const input =
    typeof entry === 'string'
      ? { entryPoints: { index: entry } }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'ts' as const }, entryNames: 'index' };
  const result = await build({
    ...HOUSE_ESBUILD,
    ...input,
    outdir: 'out',
    sourcemap: false,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const { metafile } = result;
  const index = Object.keys(metafile.outputs).find((path) => basename(path) === 'index.mjs');
  if (!index) throw new Error('esbuild wrote no index.mjs');
  const loaded = loadedAtImport(metafile, index);
  const lazy = Object.entries(metafile.outputs)
    .filter(
      ([path, output]) =>
        !loaded.includes(path) && output.entryPoint && !output.entryPoint.includes('node_modules/'),
    )
    .map(([path]) => {
      const chunk = loadedAtImport(metafile, path).filter((p) => !loaded.includes(p));
      return {
        name: basename(path),
        bytes: bytesOf(metafile, chunk),
        contributors: contributorsOf(metafile, chunk),
      };
    });
  return { bytes: bytesOf(metafile, loaded), contributors: contributorsOf(metafile, loaded), lazy };
}

/**
 * The files of a bundle folder a cold import of `file` loads: itself and the
 * chunks it imports statically (esbuild writes them `from"./chunk-….mjs"` or
 * `import"./chunk-….mjs"`; `import("./…")` is lazy and not followed).
 */
export function filesLoadedAtImport(file: string): string[] {
  const seen = new Set<string>([file]);
  for (const current of seen) {
    const code = readFileSync(current, 'utf8');
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*"(\.\/[^"]+\.mjs)"/g)) {
      if (match[1]) seen.add(join(dirname(current), match[1]));
    }
  }
  return [...seen];
}
