import { readFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { PROJECT_ROOT } from './cache.js';

/**
 * Packages Node.js loads from node_modules instead of the bundle: native
 * code, packages that read their own files by path, the build tools, and
 * the AWS SDK (half the bundle's size and build time, and only commands that
 * call AWS load it). Everything else is bundled, so zod, middy and
 * Powertools exist once in the process.
 */
const EXTERNAL_PACKAGES = [
  'aws-cdk-lib',
  'constructs',
  'cdk-nag',
  'dynalite',
  'aws-ses-v2-local',
  'esbuild',
  'tsx',
  'playwright-core',
];
const EXTERNAL_SCOPES = ['@aws-sdk', '@smithy'];

const EXTERNAL = new RegExp(`^(${EXTERNAL_PACKAGES.join('|')}|(${EXTERNAL_SCOPES.join('|')})/[^/]+)(/|$)`);

/**
 * External packages are required when the code that uses them first runs:
 * an ES import of a package would be hoisted to the top of the bundle, and
 * `validate` would load dynalite and the AWS SDK. All of them ship CommonJS.
 */
export const lazyExternals: Plugin = {
  name: 'lazy-externals',
  setup(bundler) {
    bundler.onResolve({ filter: EXTERNAL }, ({ path, kind }) =>
      kind === 'require-call' ? { path, external: true } : { path, namespace: 'lazy-external' },
    );
    bundler.onLoad({ filter: /.*/, namespace: 'lazy-external' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)});`,
      loader: 'js',
    }));
  },
};

/**
 * Sources read files next to themselves (`new URL('…', import.meta.url)`):
 * in the bundle each keeps its own location, not the bundle's (and a
 * CommonJS bundle has no `import.meta`). A textual
 * replacement: the CLI's sources name `import.meta` only in code, never in
 * a string (the Lambda bundling banner that does is not part of the CLI).
 */
export const sourceLocation: Plugin = {
  name: 'source-location',
  setup(bundler) {
    bundler.onLoad({ filter: /\.[cm]?[jt]s$/, namespace: 'file' }, async ({ path }) => {
      if (path.includes(`${sep}node_modules${sep}`)) return undefined;
      const locations = new Map([
        ['url', pathToFileURL(path).href],
        ['filename', path],
        ['dirname', dirname(path)],
      ]);
      const source = await readFile(path, 'utf8');
      const contents = source.replace(/\bimport\.meta\.(url|filename|dirname)\b/g, (match, key: string) =>
        JSON.stringify(locations.get(key) ?? match),
      );
      return { contents, loader: path.endsWith('ts') ? 'ts' : 'js' };
    });
  },
};

const CLI_MAIN = join(PROJECT_ROOT, 'infra', 'cli', 'main.ts');
const COMMAND_BUNDLE = join(PROJECT_ROOT, 'infra', 'cli', 'bundle', 'command-bundle.ts');

/**
 * main.ts imports a command's module when the command runs: that import
 * loads the command's own bundle, commands/<name>.cjs beside main.mjs,
 * through loadCommandBundle (V8's code cache). One bundle per command rather
 * than chunks shared between them: esbuild does not keep the order in which
 * modules run across shared chunks, and the local runtime sets handler
 * logging up before the handlers' modules load. What main.ts imports
 * statically (the help text of an option) is part of main.mjs.
 */
export const commandsApart: Plugin = {
  name: 'commands-apart',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\/commands\/[^/]+\.ts$/ }, ({ path, importer, kind }) =>
      importer === CLI_MAIN && kind === 'dynamic-import'
        ? { path: path.replace(/\.ts$/, '.cjs'), namespace: 'command-bundle' }
        : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'command-bundle' }, ({ path }) => ({
      // require: main.mjs's own (the banner's), which resolves the path beside main.mjs.
      contents: `module.exports = require(${JSON.stringify(COMMAND_BUNDLE)}).loadCommandBundle(require.resolve(${JSON.stringify(path)}));`,
      loader: 'js',
      resolveDir: PROJECT_ROOT,
    }));
  },
};
