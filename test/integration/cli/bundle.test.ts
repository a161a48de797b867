import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '#infra/cli/bundle/build.ts';
import { type BundleManifest, cacheDir, freshEntry } from '#infra/cli/bundle/cache.js';
import { CODE_CACHE_SUFFIX } from '#infra/cli/bundle/command-bundle.ts';
import { type CliResult, projectRoot, runCli } from './run-cli.ts';

const PROCESS_TIMEOUT = 60_000;
const BUILD_TIMEOUT = 120_000;

/** Runs bin.js as a user would, with the bundle looked for in `cache`. */
function journeys(cache: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['infra/cli/bin.js', ...args],
      { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1', JOURNEYS_CLI_CACHE: cache } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function recorded(path: string): [string, number, number] {
  const stats = statSync(join(projectRoot, path));
  return [path, stats.size, stats.mtimeMs];
}

describe('bin.js and a bundle that may be stale', () => {
  // A stand-in build whose entry says it ran, so each test sees which of bundle or sources ran.
  let cache: string;
  const BUNDLE_SAYS = 'ran from the bundle';
  const entry = () => pathToFileURL(join(cache, 'builds', 'b1', 'main.mjs')).href;

  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'journeys-bin-'));
    mkdirSync(join(cache, 'builds', 'b1'), { recursive: true });
    writeFileSync(
      join(cache, 'builds', 'b1', 'main.mjs'),
      `export async function run() { process.stdout.write(${JSON.stringify(BUNDLE_SAYS)}); }\n`,
    );
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  function writeManifest(change: (manifest: BundleManifest) => void = () => undefined): void {
    const manifest: BundleManifest = {
      root: projectRoot,
      entry: 'builds/b1/main.mjs',
      inputs: [recorded('package.json'), recorded('infra/cli/main.ts')],
    };
    change(manifest);
    writeFileSync(join(cache, 'manifest.json'), JSON.stringify(manifest));
  }

  function changeSource(index: number, field: 1 | 2, by: number) {
    return (m: BundleManifest) => {
      const input = m.inputs[index];
      if (input !== undefined) input[field] += by;
    };
  }

  it('finds the bundle current while every recorded input has its recorded size and time', () => {
    writeManifest();
    expect(freshEntry(cache)).toBe(entry());
  });

  it.each([
    ['a source changed size', changeSource(1, 1, 1)],
    ['a source was touched', changeSource(1, 2, -1000)],
    ['package.json changed', changeSource(0, 1, -1)],
    ['a recorded source is gone', (m: BundleManifest) => m.inputs.push(['infra/cli/gone.ts', 1, 1])],
    ['it was built in another folder', (m: BundleManifest) => Object.assign(m, { root: '/elsewhere/' })],
    ['its entry is missing', (m: BundleManifest) => Object.assign(m, { entry: 'builds/none/main.mjs' })],
    ['the manifest has another shape', (m: BundleManifest) => Object.assign(m, { inputs: 'all' })],
  ])('finds it stale when %s', (_case, change) => {
    writeManifest(change);
    expect(freshEntry(cache)).toBeUndefined();
  });

  it('finds it stale when the manifest is not JSON, or absent', () => {
    writeFileSync(join(cache, 'manifest.json'), '{"root": 1');
    expect(freshEntry(cache)).toBeUndefined();
    expect(freshEntry(join(cache, 'builds'))).toBeUndefined();
  });

  it(
    'runs the bundle when it is current, and the sources through tsx once a source changed',
    async () => {
      writeManifest();
      expect((await journeys(cache, ['--help'])).stdout).toBe(BUNDLE_SAYS);
      writeManifest(changeSource(1, 1, 1));
      const sources = await journeys(cache, ['--help']);
      expect(sources.stdout).not.toContain(BUNDLE_SAYS);
      expect(sources.stdout).toContain('validate');
      expect(sources.code).toBe(0);
    },
    PROCESS_TIMEOUT,
  );
});

describe('the built bundle', () => {
  let cache: string;
  let built: string | undefined;

  // The project's bundle when it is current (`npm test` builds it first); else a build of its own.
  beforeAll(async () => {
    if (freshEntry(cacheDir()) !== undefined) cache = cacheDir();
    else {
      built = mkdtempSync(join(tmpdir(), 'journeys-bundle-'));
      cache = built;
      await buildCli(built);
    }
  }, BUILD_TIMEOUT);
  afterAll(() => {
    if (built !== undefined) rmSync(built, { recursive: true, force: true });
  });

  it(
    'validates as the sources do: the same report, exit 0 and exit 1',
    async () => {
      const good = await journeys(cache, ['validate', 'journeys/cart-abandonment.json']);
      expect(good).toEqual(await runCli(['validate', 'journeys/cart-abandonment.json']));
      const broken = await journeys(cache, ['validate', 'test/fixtures/journeys/broken/start-missing.json']);
      expect(broken.code).toBe(1);
      expect(broken).toEqual(await runCli(['validate', 'test/fixtures/journeys/broken/start-missing.json']));
    },
    PROCESS_TIMEOUT,
  );

  it(
    'names the field a misspelt one was meant to be, as the sources do',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'journeys-misspelt-'));
      try {
        const journey = JSON.parse(readFileSync(join(projectRoot, 'journeys/cart-abandonment.json'), 'utf8'));
        const { next, ...step } = journey.steps[journey.start];
        journey.steps[journey.start] = { ...step, nxt: next };
        const file = join(dir, 'cart-abandonment.json');
        writeFileSync(file, JSON.stringify(journey, null, 2));
        const bundled = await journeys(cache, ['validate', file]);
        expect(bundled.code).toBe(1);
        expect(bundled.stdout).toContain('unknown field "nxt" (did you mean "next"?)');
        expect(bundled).toEqual(await runCli(['validate', file]));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    PROCESS_TIMEOUT,
  );

  it(
    'compiles a journey to the same Amazon States Language as the sources',
    async () => {
      const bundled = await journeys(cache, ['compile', 'journeys/cart-abandonment.json']);
      expect(bundled.code).toBe(0);
      expect(JSON.parse(bundled.stdout)).toEqual(
        JSON.parse((await runCli(['compile', 'journeys/cart-abandonment.json'])).stdout),
      );
    },
    PROCESS_TIMEOUT,
  );

  it('gives each source its own location (files it reads beside itself), not the bundle file', () => {
    const manifest: BundleManifest = JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8'));
    const testCommand = readFileSync(join(cache, manifest.entry, '..', 'commands', 'test.cjs'), 'utf8');
    expect(testCommand).toContain(
      JSON.stringify(pathToFileURL(join(projectRoot, 'infra/cli/commands/test.ts')).href),
    );
  });

  it(
    "keeps V8's compiled code of a command beside its bundle, and runs the same with it, without it, and with a cache that is not V8's",
    async () => {
      // A copy of the build: what this test writes beside the bundle is no one else's.
      const copy = mkdtempSync(join(tmpdir(), 'journeys-code-cache-'));
      try {
        const manifest: BundleManifest = JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8'));
        const build = join(manifest.entry, '..');
        cpSync(join(cache, build), join(copy, build), { recursive: true });
        writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
        const codeCache = join(copy, build, 'commands', `validate.cjs${CODE_CACHE_SUFFIX}`);
        rmSync(codeCache, { force: true });
        const args = ['validate', 'journeys/cart-abandonment.json'];
        const expected = await runCli(args);
        expect(await journeys(copy, args)).toEqual(expected);
        const saved = readFileSync(codeCache);
        expect(saved.length).toBeGreaterThan(0);
        expect(await journeys(copy, args)).toEqual(expected);
        writeFileSync(codeCache, 'not code');
        expect(await journeys(copy, args)).toEqual(expected);
        expect(readFileSync(codeCache, 'utf8')).not.toBe('not code');
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
    PROCESS_TIMEOUT,
  );
});
