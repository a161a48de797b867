import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { HOUSE_BUNDLING } from '#infra/constructs/bundling.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** One package (or project folder) and the bytes it adds to a bundle. */
export type Contributor = { name: string; bytes: number };

/** What a bundle is made of, from esbuild's metafile. */
export type BundleContents = { bytes: number; contributors: Contributor[] };

/**
 * The esbuild options `NodejsFunction` derives from {@link HOUSE_BUNDLING}
 * (aws-lambda-nodejs turns them into the same command-line flags), so the
 * metafile describes the bundle `cdk synth` writes. The bench prints both
 * sizes: a difference means this mirror has drifted.
 */
export function houseOptions(): BuildOptions {
  const banner = HOUSE_BUNDLING.banner;
  return {
    bundle: true,
    platform: 'node',
    format: HOUSE_BUNDLING.format === 'esm' ? 'esm' : 'cjs',
    target: HOUSE_BUNDLING.target,
    minify: HOUSE_BUNDLING.minify,
    sourcemap: HOUSE_BUNDLING.sourceMap,
    sourcesContent: HOUSE_BUNDLING.sourcesContent,
    ...(HOUSE_BUNDLING.mainFields ? { mainFields: HOUSE_BUNDLING.mainFields } : {}),
    external: HOUSE_BUNDLING.externalModules ?? [],
    ...(banner ? { banner: { js: banner } } : {}),
    ...(HOUSE_BUNDLING.define ? { define: HOUSE_BUNDLING.define } : {}),
  };
}

/** A path from the metafile reduced to what a reader recognises: the package, or the project folder. */
function contributorOf(path: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inPackage?.[1]) return inPackage[1];
  const parts = path.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}/` : path;
}

/**
 * Bundles `entry` (a file, or source text resolved from the project root) as
 * the stack does, in memory, and sums each contributor's bytes in the output.
 */
export async function bundleContents(entry: string | { contents: string }): Promise<BundleContents> {
  const input =
    typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'ts' as const } };
  const result = await build({
    ...houseOptions(),
    ...input,
    outfile: 'index.mjs',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('index.mjs'))?.[1];
  if (!output) throw new Error('esbuild wrote no index.mjs');
  const totals = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = contributorOf(path);
    totals.set(name, (totals.get(name) ?? 0) + input.bytesInOutput);
  }
  const contributors = [...totals]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  return { bytes: output.bytes, contributors };
}
