import { execFile, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_NAMES, type FunctionName } from '#functions/manifests.ts';
import { HANDLER_FILE } from '#infra/constructs/bundling.ts';
import { synthesize } from '../infra/synth.ts';
import { filesLoadedAtImport } from './bundle-contents.ts';

/**
 * One function's bundle as `cdk synth` builds it, and the environment Lambda
 * would give it: `file` is its `index.mjs`, `bytes` what a cold import of it
 * loads (it and the chunks it imports statically).
 */
export type Bundle = {
  name: FunctionName;
  entry: string;
  file: string;
  bytes: number;
  env: Record<string, string>;
};

const ROOT = join(import.meta.dirname, '..', '..');

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
    const file = join(outdir, `asset.${hash}`, HANDLER_FILE);
    if (!existsSync(file)) throw new Error(`${name}: no bundle at ${file}`);
    const bytes = filesLoadedAtImport(file).reduce((sum, loaded) => sum + statSync(loaded).size, 0);
    const variables: Record<string, unknown> = properties.Environment.Variables;
    const env = Object.fromEntries(
      Object.entries(variables).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : `placeholder-${key}`,
      ]),
    );
    const entry = join(ROOT, 'functions', name, 'handler.ts');
    return { name, entry, file, bytes, env };
  });
}

/** What importing a module in a fresh `node` process cost, or why it failed. */
export type ImportResult = { ok: boolean; cpuMs: number; error: string };

/**
 * Imports `file` in a fresh `node` process, as a Lambda cold start does, and
 * reports the process's CPU time (user + system, start-up included) once the
 * import has finished. CPU time rather than wall time: it does not grow when
 * other processes share the cores, and it is what the init phase pays for.
 */
export function importInFreshNode(file: string, env: Record<string, string> = {}): ImportResult {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', importScript(file)], {
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...env },
    encoding: 'utf8',
  });
  return importResult(result.status, result.stdout, result.stderr);
}

/** The same, without blocking: several bundles import side by side (what a test needs, not a benchmark). */
export function importInFreshNodeAsync(
  file: string,
  env: Record<string, string> = {},
): Promise<ImportResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', importScript(file)],
      { env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...env }, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve(
          importResult(error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr),
        ),
    );
  });
}

function importScript(file: string): string {
  return [
    `const module = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const { user, system } = process.cpuUsage();',
    "if (typeof module.handler !== 'function') throw new Error('no handler export');",
    'console.log(JSON.stringify({ cpuMs: (user + system) / 1000 }));',
  ].join('\n');
}

function importResult(status: number | null, stdout: string, stderr: string): ImportResult {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const cpuMs = status === 0 ? Number(JSON.parse(last).cpuMs) : Number.NaN;
  return { ok: status === 0, cpuMs, error: stderr.trim() };
}
