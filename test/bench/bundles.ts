import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Bundle, buildBundles, importInFreshNode } from './bundle-build.ts';
import { bundleContents } from './bundle-contents.ts';
import { buildFloors } from './bundle-floor.ts';

/**
 * `npm run bench -- bundles`: each function's bundle as `cdk synth` builds it
 * — its size, what it is made of (esbuild metafile) and what a cold import
 * costs, as a ratio to importing an empty module in the same round.
 *
 * `BUNDLES_RUNS` sets the rounds (default 10). `BUNDLES_SAVE=<file>` writes the
 * figures as JSON; `BUNDLES_AGAINST=<file>` prints them beside figures saved
 * earlier (say, from another commit), as before → after. Reference rows,
 * measured in the same rounds, give the floors no function can go below with
 * the AWS SDK bundled: the DynamoDB document client alone; with the
 * Powertools logger, metrics and middy; with those and `zod/mini`; and with
 * ingest's three clients (see docs/bundles.md and `bundle-floor.ts`).
 */

/** Size and cold-import targets of every bundle. */
export const TARGETS = { kilobytes: 300, importRatio: 1.5 } as const;

/** A module imported in the rounds: a function's bundle or a floor. */
type Imported = Pick<Bundle, 'file'> & { name: string; env?: Record<string, string> };

/** The figures of one bundle, as saved and compared. */
type Figures = { name: string; kb: number; ratio: { min: number; median: number; max: number } };

function quantiles(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(middle)] ?? Number.NaN)
      : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
  return { min: sorted[0] ?? Number.NaN, median, max: sorted.at(-1) ?? Number.NaN };
}

/**
 * CPU of a cold import of each bundle over CPU of a cold import of an empty
 * module, one ratio per round. Each round imports the empty module and then
 * every bundle, each in a fresh process, so a busy moment weighs on both
 * sides of the ratios it produces.
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
      else ratios.get(bundle.name)?.push(result.cpuMs / base.cpuMs);
    }
  }
  return { ratios, emptyMs: quantiles(emptyMs), failures };
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

/** Prints size, contents and cold-import ratio of every bundle. */
export async function runBundlesBench(runs = Number(process.env.BUNDLES_RUNS ?? 10)): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'journeys-bundles-'));
  try {
    const bundles = buildBundles(dir);
    const floors = await buildFloors(dir);
    const before = readSaved(process.env.BUNDLES_AGAINST);
    console.log(
      `Function bundles as cdk synth builds them (minified ESM, AWS SDK inside; node ${process.version})`,
    );
    console.log('\nWhat each is made of (esbuild metafile, KB in the minified output, largest first):');
    for (const bundle of bundles) {
      const contents = await bundleContents(bundle.entry);
      const drift =
        Math.abs(contents.bytes - bundle.bytes) > 64
          ? ` (metafile build: ${fixed(contents.bytes / 1024, 1)} KB)`
          : '';
      const top = contents.contributors
        .slice(0, 8)
        .map((c) => `${c.name} ${fixed(c.bytes / 1024, 0)}`)
        .join(', ');
      console.log(`  ${bundle.name}${drift}: ${top}`);
    }
    const { ratios, emptyMs, failures } = importRatios([...floors, ...bundles], runs, dir);
    console.log(
      `\nCold import: process CPU (start-up + import) over that of an empty module, ${runs} rounds, a fresh process each;`,
    );
    console.log(
      `empty module: ${fixed(emptyMs.min, 0)}/${fixed(emptyMs.median, 0)}/${fixed(emptyMs.max, 0)} ms CPU (min/median/max).`,
    );
    console.log(`Targets: <= ${TARGETS.kilobytes} KB and median ratio <= ${TARGETS.importRatio} each.\n`);
    const beforeHeader = before.size > 0 ? `${'KB before'.padStart(11)}${'ratio before'.padStart(14)}` : '';
    console.log(
      `${'function'.padEnd(20)}${beforeHeader}${'KB'.padStart(8)}${'map KB'.padStart(8)}${'ratio min/median/max'.padStart(24)}  verdict`,
    );
    const figures: Figures[] = [];
    for (const bundle of bundles) {
      const kb = bundle.bytes / 1024;
      const mapKb = statSync(`${bundle.file}.map`).size / 1024;
      const ratio = quantiles(ratios.get(bundle.name) ?? []);
      figures.push({ name: bundle.name, kb, ratio });
      const failed = failures.get(bundle.name);
      const verdict = failed
        ? `IMPORT FAILED: ${failed}`
        : kb <= TARGETS.kilobytes && ratio.median <= TARGETS.importRatio
          ? 'ok'
          : 'over target';
      const old = before.get(bundle.name);
      const beforeCells =
        before.size > 0
          ? `${fixed(old?.kb ?? Number.NaN, 1).padStart(11)}${fixed(old?.ratio.median ?? Number.NaN, 2).padStart(14)}`
          : '';
      const ratioCell = `${fixed(ratio.min, 2)}/${fixed(ratio.median, 2)}/${fixed(ratio.max, 2)}`;
      console.log(
        `${bundle.name.padEnd(20)}${beforeCells}${fixed(kb, 1).padStart(8)}${fixed(mapKb, 0).padStart(8)}${ratioCell.padStart(24)}  ${verdict}`,
      );
    }
    for (const floor of floors) {
      const ratio = quantiles(ratios.get(floor.name) ?? []);
      const failed = failures.get(floor.name);
      const ratioCell = `${fixed(ratio.min, 2)}/${fixed(ratio.median, 2)}/${fixed(ratio.max, 2)}`;
      console.log(
        `${floor.name.padEnd(20)}${before.size > 0 ? ' '.repeat(25) : ''}${fixed(floor.bytes / 1024, 1).padStart(8)}${'-'.padStart(8)}${ratioCell.padStart(24)}  ${failed ? `IMPORT FAILED: ${failed}` : 'reference (no code of ours)'}`,
      );
    }
    if (process.env.BUNDLES_SAVE)
      writeFileSync(process.env.BUNDLES_SAVE, `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runBundlesBench();
