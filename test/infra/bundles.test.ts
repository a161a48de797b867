import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '#functions/manifests.ts';
import { UNUSED_CREDENTIAL_PROVIDERS } from '#infra/constructs/bundling.ts';
import {
  type Bundle,
  buildBundles,
  type ImportResult,
  importInFreshNodeAsync,
} from '../bench/bundle-build.ts';
import { filesLoadedAtImport } from '../bench/bundle-contents.ts';

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

  it('send-message compiles the Pinpoint client only when an SMS or push is sent', () => {
    const bundle = bundles.find((b) => b.name === 'send-message');
    if (!bundle) throw new Error('no bundle for send-message');
    const folder = dirname(bundle.file);
    const all = readdirSync(folder).filter((file) => file.endsWith('.mjs'));
    const atImport = new Set(filesLoadedAtImport(bundle.file).map((file) => basename(file)));
    // Pinpoint signs its requests as "mobiletargeting": in a chunk of the folder, not in what a cold import loads.
    const signing = (file: string) => readFileSync(join(folder, file), 'utf8').includes('"mobiletargeting"');
    expect(all.filter(signing).length).toBeGreaterThan(0);
    expect([...atImport].filter(signing)).toEqual([]);
  });

  it.each(FUNCTION_NAMES)('%s is minified ESM with the AWS SDK inside and a source map beside it', (name) => {
    const bundle = bundles.find((b) => b.name === name);
    if (!bundle) throw new Error(`no bundle for ${name}`);
    const folder = dirname(bundle.file);
    const files = readdirSync(folder).filter((file) => file.endsWith('.mjs'));
    expect(basename(bundle.file)).toBe('index.mjs');
    expect(files).toContain('index.mjs');
    for (const file of files) {
      const code = readFileSync(join(folder, file), 'utf8');
      // Booleans, not the code itself: a failure should not print a megabyte of bundle.
      expect(code.startsWith("import { createRequire as __journeysCreateRequire } from 'node:module';")).toBe(
        true,
      );
      expect(new RegExp(`//# sourceMappingURL=${file.replace('.', '\\.')}\\.map\\s*$`).test(code)).toBe(true);
      expect(existsSync(join(folder, `${file}.map`))).toBe(true);
      // No static import of the SDK is left for the runtime to resolve: the bundle carries its own copy.
      expect(/from\s*["']@aws-sdk\//.test(code)).toBe(false);
      // Only the credential providers Lambda never loads stay outside, behind dynamic imports; the
      // others load chunks of the bundle itself, which are beside it.
      const dynamic = [...code.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? '');
      const chunks = dynamic.filter((specifier) => specifier.startsWith('./'));
      for (const chunk of chunks) expect(files).toContain(chunk.slice(2));
      const packages = dynamic.filter(
        (specifier) => !specifier.startsWith('node:') && !specifier.startsWith('./'),
      );
      expect(
        packages.filter((specifier) => !UNUSED_CREDENTIAL_PROVIDERS.some((p) => specifier.startsWith(p))),
      ).toEqual([]);
    }
  });
});
