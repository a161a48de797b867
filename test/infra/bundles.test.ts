import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '#functions/manifests.ts';
import { UNUSED_CREDENTIAL_PROVIDERS } from '#infra/constructs/bundling.ts';
import {
  type Bundle,
  buildBundles,
  type ImportResult,
  importInFreshNodeAsync,
} from '../bench/bundle-build.ts';

let outdir: string;
let bundles: Bundle[];
/** Each bundle imported in a fresh node process, all at once. */
const imports = new Map<string, ImportResult>();

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'journeys-bundles-'));
  bundles = buildBundles(outdir);
  const results = await Promise.all(bundles.map((b) => importInFreshNodeAsync(b.file, b.env)));
  for (const [i, bundle] of bundles.entries()) {
    const result = results[i];
    if (result !== undefined) imports.set(bundle.name, result);
  }
}, 180_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe('function bundles (as cdk synth builds them)', () => {
  it.each(FUNCTION_NAMES)('%s imports in a fresh node process and exports a handler', (name) => {
    // act (in beforeAll)
    const result = imports.get(name);
    // assert
    expect(result?.error).toBe('');
    expect(result?.ok).toBe(true);
  });

  it.each(FUNCTION_NAMES)('%s is minified ESM with the AWS SDK inside and a source map beside it', (name) => {
    const bundle = bundles.find((b) => b.name === name);
    if (!bundle) throw new Error(`no bundle for ${name}`);
    const code = readFileSync(bundle.file, 'utf8');
    expect(bundle.file.endsWith('.mjs')).toBe(true);
    // Booleans, not the code itself: a failure should not print a megabyte of bundle.
    expect(code.startsWith("import { createRequire as __journeysCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/.test(code)).toBe(true);
    expect(existsSync(`${bundle.file}.map`)).toBe(true);
    // No static import of the SDK is left for the runtime to resolve: the bundle carries its own copy.
    expect(/from\s*["']@aws-sdk\//.test(code)).toBe(false);
    // Only the credential providers Lambda never loads stay outside, behind dynamic imports.
    const dynamic = [...code.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? '');
    const packages = dynamic.filter((specifier) => !specifier.startsWith('node:'));
    expect(
      packages.filter((specifier) => !UNUSED_CREDENTIAL_PROVIDERS.some((p) => specifier.startsWith(p))),
    ).toEqual([]);
  });
});
