import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_NAMES, type FunctionName } from '#functions/manifests.ts';
import { synthesize } from '../infra/synth.ts';

/** One function's bundle as `cdk synth` builds it, and the environment Lambda would give it. */
export type Bundle = { name: FunctionName; file: string; bytes: number; env: Record<string, string> };

/** Size and import-time targets of every bundle. */
export const TARGETS = { kilobytes: 300, importMs: 100 } as const;

/**
 * Synthesizes the stack with bundling on (esbuild, exactly as `cdk deploy`
 * would) into `outdir` and returns each function's bundle. Environment values
 * the template only knows as references become placeholders.
 */
export function buildBundles(outdir: string): Bundle[] {
  const { stack, template } = synthesize({ bundle: true, outdir });
  const resources = template.toJSON().Resources;
  return FUNCTION_NAMES.map((name) => {
    const built =
      name === 'segment-entry'
        ? stack.segmentEntry.fn
        : name === 'unsubscribe'
          ? stack.unsubscribe.fn
          : stack.functions[name];
    const logicalId = stack.resolve(built.function.functionName).Ref;
    const properties = resources[logicalId].Properties;
    const hash = String(properties.Code.S3Key).replace(/\.zip$/, '');
    const file = join(outdir, `asset.${hash}`, 'index.mjs');
    if (!existsSync(file)) throw new Error(`${name}: no bundle at ${file}`);
    const variables: Record<string, unknown> = properties.Environment.Variables;
    const env = Object.fromEntries(
      Object.entries(variables).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : `placeholder-${key}`,
      ]),
    );
    return { name, file, bytes: statSync(file).size, env };
  });
}

/** Imports a bundle in a fresh `node` process; reports whether it loaded, the time it took and stderr. */
export function importInFreshNode(bundle: Bundle): { ok: boolean; ms: number; error: string } {
  const script = [
    'const started = performance.now();',
    `const module = await import(${JSON.stringify(pathToFileURL(bundle.file).href)});`,
    'const ms = performance.now() - started;',
    "if (typeof module.handler !== 'function') throw new Error('no handler export');",
    'console.log(JSON.stringify({ ms }));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...bundle.env },
    encoding: 'utf8',
  });
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  const ms = result.status === 0 ? Number(JSON.parse(last).ms) : Number.NaN;
  return { ok: result.status === 0, ms, error: result.stderr.trim() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Prints the size and median cold import time (of `runs` fresh processes) of every bundle. */
export function runBundlesBench(runs = 5): void {
  const outdir = mkdtempSync(join(tmpdir(), 'journeys-bundles-'));
  try {
    const bundles = buildBundles(outdir);
    console.log(
      `Function bundles (minified ESM, AWS SDK included; node ${process.version}, ${runs} cold imports each)`,
    );
    console.log(`target: <= ${TARGETS.kilobytes} KB and <= ${TARGETS.importMs} ms each\n`);
    console.log(
      `${'function'.padEnd(20)}${'KB'.padStart(8)}${'map KB'.padStart(9)}${'import ms'.padStart(11)}  verdict`,
    );
    for (const bundle of bundles) {
      const times = Array.from({ length: runs }, () => importInFreshNode(bundle));
      const failed = times.find((time) => !time.ok);
      const kb = bundle.bytes / 1024;
      const mapKb = statSync(`${bundle.file}.map`).size / 1024;
      const ms = median(times.map((time) => time.ms));
      const verdict = failed
        ? `IMPORT FAILED: ${failed.error.split('\n')[0]}`
        : kb <= TARGETS.kilobytes && ms <= TARGETS.importMs
          ? 'ok'
          : 'over target';
      console.log(
        `${bundle.name.padEnd(20)}${kb.toFixed(1).padStart(8)}${mapKb.toFixed(0).padStart(9)}${(failed ? '-' : ms.toFixed(1)).padStart(11)}  ${verdict}`,
      );
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runBundlesBench();
