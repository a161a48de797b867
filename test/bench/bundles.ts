import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Bundle, buildBundles, importInFreshNode } from './bundle-build.ts';
import { type BundleContents, bundleContents, type LazyChunk } from './bundle-contents.ts';
import { buildFloors, buildFunctionFloor, type Floor } from './bundle-floor.ts';

/**
 * `npm run bench -- bundles`: each function's bundle as `cdk synth` builds it
 * — its size, what it is made of (esbuild metafile) and what a cold import
 * costs, as a ratio to importing an empty module in the same round.
 *
 * `BUNDLES_RUNS` sets the rounds (default 10). `BUNDLES_SAVE=<file>` writes the
 * figures as JSON; `BUNDLES_AGAINST=<file>` prints them beside figures saved
 * earlier (say, from another commit), as before → after.
 *
 * Each function is printed beside its own floor: exactly the SDK clients,
 * Powertools and middy it imports, bundled alone with the same options
 * (`floorSource` in `bundle-floor.ts`), its size and ratio measured in the
 * same rounds. What the bundle holds beyond that is ours, listed by
 * contributor, and "over floor" is what it costs: the function's CPU over its
 * floor's. Reference rows give the generic floors: the DynamoDB document
 * client alone; with the Powertools logger, metrics and middy; with those and
 * `zod/mini`; and with ingest's three clients (see docs/bundles.md).
 */

/** Size and cold-import targets of every bundle. */
export const TARGETS = { kilobytes: 300, importRatio: 1.5 } as const;

/** A module imported in the rounds: a function's bundle or a floor. */
type Imported = Pick<Bundle, 'file'> & { name: string; env?: Record<string, string> };

/** The figures of one bundle, as saved and compared: its own and its floor's (`floor` absent in older files). */
type Figures = {
  name: string;
  kb: number;
  ratio: { min: number; median: number; max: number };
  floor?: { kb: number; ratio: number; over: number };
};

function quantiles(values: number[]): { min: number; median: number; max: number } {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(middle)] ?? Number.NaN)
      : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
  return { min: sorted[0] ?? Number.NaN, median, max: sorted.at(-1) ?? Number.NaN };
}

/**
 * CPU of a cold import of each bundle over CPU of a cold import of an empty
 * module, one ratio per round (NaN where the import failed). Each round
 * imports the empty module and then every bundle, each in a fresh process,
 * so a busy moment weighs on both sides of the ratios it produces.
 */
function importRatios(bundles: readonly Imported[], runs: number, dir: string) {
  const empty = join(dir, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => {};\n');
  const ratios = new Map<string, number[]>(bundles.map((bundle) => [bundle.name, []]));
  const emptyMs: number[] = [];
  const failures = new Map<string, string>();
  for (let round = 0; round < runs; round++) {
    const base = importInFreshNode(empty);
    if (!base.ok) throw new Error(`an empty module failed to import: ${base.error}`);
    emptyMs.push(base.cpuMs);
    for (const bundle of bundles) {
      const result = importInFreshNode(bundle.file, bundle.env);
      if (!result.ok) failures.set(bundle.name, result.error.split('\n')[0] ?? 'failed');
      ratios.get(bundle.name)?.push(result.ok ? result.cpuMs / base.cpuMs : Number.NaN);
    }
  }
  return { ratios, emptyMs: quantiles(emptyMs), failures };
}

/** Round by round, the first series over the second (both over the same empty module). */
function over(top: readonly number[], bottom: readonly number[]): number[] {
  return top.map((value, round) => value / (bottom[round] ?? Number.NaN));
}

function readSaved(file: string | undefined): Map<string, Figures> {
  if (!file) return new Map();
  const saved: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(saved)) throw new Error(`${file}: not a list of bundle figures`);
  return new Map(saved.filter(isFigures).map((figures) => [figures.name, figures]));
}

function isFigures(value: unknown): value is Figures {
  if (typeof value !== 'object' || value === null) return false;
  return 'name' in value && typeof value.name === 'string' && 'kb' in value && typeof value.kb === 'number';
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const kb = (bytes: number) => bytes / 1024;

/** A function's floor packages, in short (`client-dynamodb, lib-dynamodb, powertools-logger, middy`). */
function packagesOf(contents: BundleContents): string {
  const direct = contents.contributors
    .map((c) => c.name)
    .filter((name) => /^@aws-sdk\/(client-|lib-)|^@aws-lambda-powertools\/(?!commons)|^@middy\//.test(name));
  return direct
    .map((name) =>
      name
        .replace('@aws-sdk/', '')
        .replace('@aws-lambda-powertools/', 'powertools-')
        .replace('@middy/core', 'middy'),
    )
    .join(', ');
}

/** What a bundle holds beyond its floor, by contributor: our modules and the packages we chose. */
function oursOf(contents: BundleContents, floor: BundleContents) {
  const inFloor = new Map(floor.contributors.map((c) => [c.name, c.bytes]));
  return contents.contributors
    .map((c) => ({ name: c.name, bytes: c.bytes - (inFloor.get(c.name) ?? 0) }))
    .filter((c) => c.bytes >= 512)
    .sort((a, b) => b.bytes - a.bytes);
}

/** Prints size, contents and cold-import ratio of every bundle, and of each one's floor. */
export async function runBundlesBench(runs = Number(process.env.BUNDLES_RUNS ?? 10)): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'journeys-bundles-'));
  try {
    const bundles = buildBundles(dir);
    const floors = await buildFloors(dir);
    const before = readSaved(process.env.BUNDLES_AGAINST);
    console.log(
      `Function bundles as cdk synth builds them (minified ESM, AWS SDK inside; node ${process.version})`,
    );
    console.log(
      '\nWhat a cold import of each loads (esbuild metafile, KB in the minified output): its floor, the SDK',
    );
    console.log(
      'clients, Powertools and middy it imports, bundled alone; then ours, what it holds beyond that, largest',
    );
    console.log('first; then the chunks of ours only `await import()` loads, when that code first runs:');
    const rows: Row[] = [];
    for (const bundle of bundles) {
      const contents = await bundleContents(bundle.entry);
      const floor = await buildFunctionFloor(dir, bundle.name, bundle.entry);
      const floorContents = await bundleContents({ contents: floor.source });
      const drift =
        Math.abs(contents.bytes - bundle.bytes) > 64
          ? ` (metafile build: ${fixed(kb(contents.bytes), 1)} KB)`
          : '';
      const ours = oursOf(contents, floorContents)
        .slice(0, 8)
        .map((c) => `${c.name} ${fixed(kb(c.bytes), 0)}`)
        .join(', ');
      console.log(
        `  ${bundle.name}${drift}: floor ${fixed(kb(floorContents.bytes), 0)} (${packagesOf(floorContents)})`,
      );
      console.log(`    ours ${fixed(kb(contents.bytes - floorContents.bytes), 0)}: ${ours}`);
      rows.push({ ...bundle, floor });
      for (const chunk of contents.lazy) {
        const top = chunk.contributors
          .slice(0, 6)
          .map((c) => `${c.name} ${fixed(kb(c.bytes), 0)}`)
          .join(', ');
        console.log(`    lazy ${chunk.name.replace(/-\w+\.mjs$/, '')} ${fixed(kb(chunk.bytes), 0)}: ${top}`);
        rows.push(await lazyRow(dir, bundle, chunk));
      }
    }
    const { ratios, emptyMs, failures } = importRatios(
      [...floors, ...rows.map((row) => row.floor), ...rows],
      runs,
      dir,
    );
    console.log(
      `\nCold import: process CPU (start-up + import) over that of an empty module, ${runs} rounds, a fresh process each;`,
    );
    console.log(
      `empty module: ${fixed(emptyMs.min, 0)}/${fixed(emptyMs.median, 0)}/${fixed(emptyMs.max, 0)} ms CPU (min/median/max).`,
    );
    console.log(
      "floor: the function's own floor (above), its size and median ratio; ours: KB beyond it; over floor:",
    );
    console.log(
      "the median, round by round, of the function's CPU over its floor's (1.00 = nothing of ours costs).",
    );
    console.log('A "+chunk" row imports the function and then its lazy chunk, against the floor of both.');
    console.log(`Targets: <= ${TARGETS.kilobytes} KB and median ratio <= ${TARGETS.importRatio} each.\n`);
    const beforeHeader =
      before.size > 0
        ? `${'KB before'.padStart(11)}${'ratio before'.padStart(14)}${'over before'.padStart(13)}`
        : '';
    console.log(
      `${'function'.padEnd(24)}${beforeHeader}${'KB'.padStart(8)}${'ratio min/median/max'.padStart(24)}${'floor KB'.padStart(10)}${'ratio'.padStart(7)}${'ours KB'.padStart(9)}${'over floor'.padStart(12)}  verdict`,
    );
    const figures: Figures[] = [];
    for (const row of rows) {
      const size = kb(row.bytes);
      const series = ratios.get(row.name) ?? [];
      const ratio = quantiles(series);
      const floorSeries = ratios.get(row.floor.name) ?? [];
      const floorKb = kb(row.floor.bytes);
      const floorRatio = quantiles(floorSeries).median;
      const overFloor = quantiles(over(series, floorSeries)).median;
      figures.push({
        name: row.name,
        kb: size,
        ratio,
        floor: { kb: floorKb, ratio: floorRatio, over: overFloor },
      });
      const failed = failures.get(row.name) ?? failures.get(row.floor.name);
      const verdict = failed
        ? `IMPORT FAILED: ${failed}`
        : size <= TARGETS.kilobytes && ratio.median <= TARGETS.importRatio
          ? 'ok'
          : 'over target';
      const old = before.get(row.name);
      const beforeCells =
        before.size > 0
          ? `${fixed(old?.kb ?? Number.NaN, 1).padStart(11)}${fixed(old?.ratio.median ?? Number.NaN, 2).padStart(14)}${fixed(old?.floor?.over ?? Number.NaN, 2).padStart(13)}`
          : '';
      const ratioCell = `${fixed(ratio.min, 2)}/${fixed(ratio.median, 2)}/${fixed(ratio.max, 2)}`;
      const floorCells = `${fixed(floorKb, 1).padStart(10)}${fixed(floorRatio, 2).padStart(7)}${fixed(size - floorKb, 1).padStart(9)}${fixed(overFloor, 2).padStart(12)}`;
      console.log(
        `${row.name.padEnd(24)}${beforeCells}${fixed(size, 1).padStart(8)}${ratioCell.padStart(24)}${floorCells}  ${verdict}`,
      );
    }
    for (const floor of floors) {
      const ratio = quantiles(ratios.get(floor.name) ?? []);
      const failed = failures.get(floor.name);
      const ratioCell = `${fixed(ratio.min, 2)}/${fixed(ratio.median, 2)}/${fixed(ratio.max, 2)}`;
      console.log(
        `${floor.name.padEnd(24)}${before.size > 0 ? ' '.repeat(38) : ''}${fixed(kb(floor.bytes), 1).padStart(8)}${ratioCell.padStart(24)}${' '.repeat(38)}  ${failed ? `IMPORT FAILED: ${failed}` : 'reference (no code of ours)'}`,
      );
    }
    if (process.env.BUNDLES_SAVE)
      writeFileSync(process.env.BUNDLES_SAVE, `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A measured row: a function's bundle (or it with a lazy chunk) and its own floor. */
type Row = Imported & { bytes: number; floor: Floor };

/**
 * A function as it stands once its lazy chunk has run: a module in `dir`
 * that imports the deployed `index.mjs` and then the chunk beside it, against
 * the floor of everything both import.
 */
async function lazyRow(dir: string, bundle: Bundle, chunk: LazyChunk): Promise<Row> {
  const prefix = chunk.name.replace(/-\w+\.mjs$/, '');
  const folder = dirname(bundle.file);
  const deployed = readdirSync(folder).find((file) => new RegExp(`^${prefix}-\\w+\\.mjs$`).test(file));
  if (!deployed) throw new Error(`${bundle.name}: no ${prefix} chunk beside ${bundle.file}`);
  const name = `${bundle.name} +${prefix}`;
  const file = join(dir, `${bundle.name}-${prefix}.mjs`);
  const url = (path: string) => JSON.stringify(pathToFileURL(path).href);
  writeFileSync(
    file,
    `export { handler } from ${url(bundle.file)};\nawait import(${url(join(folder, deployed))});\n`,
  );
  const floor = await buildFunctionFloor(dir, name, bundle.entry, { lazy: true });
  return { name, file, env: bundle.env, bytes: bundle.bytes + chunk.bytes, floor };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runBundlesBench();
