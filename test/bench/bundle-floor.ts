import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { HOUSE_ESBUILD } from '#infra/constructs/bundling.ts';
import { filesLoadedAtImport, houseOptions, loadedAtImport } from './bundle-contents.ts';

/**
 * A handler that does nothing but load what a function loads, bundled as the
 * stack bundles (source maps included) and imported with the Node options the
 * functions run with, so that reading maps weighs on both sides.
 */
export type Floor = { name: string; file: string; bytes: number; env: Record<string, string> };

/** The Node options every function runs with (`journeys-function.ts`). */
const FUNCTION_NODE_OPTIONS = { NODE_OPTIONS: '--enable-source-maps' };

const ROOT = join(import.meta.dirname, '..', '..');

/** What every function wraps its handler in: the Powertools logger and metrics, and middy. */
const POWERTOOLS = [
  "import { Logger } from '@aws-lambda-powertools/logger';",
  "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
  "import { Metrics } from '@aws-lambda-powertools/metrics';",
  "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
  "import middy from '@middy/core';",
  'const logger = new Logger();',
  'const metrics = new Metrics({ logger });',
];

/**
 * The floors the functions' cold imports are measured against: an empty
 * handler that creates the DynamoDB document client at import (as the
 * functions do), and the same with the Powertools logger and metrics and
 * middy that every function wraps its handler in; then the clients of
 * ingest (DynamoDB, Step Functions, SQS) on top; then one function's `zod/mini`
 * with its English messages (`shared/zod.ts`) and a schema built at import
 * on the DynamoDB floor. No code of ours but that one schema.
 */
const FLOORS: Record<string, string> = {
  'floor: dynamodb': [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    'export const handler = async () => db.config.region;',
  ].join('\n'),
  'floor: +powertools': [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    ...POWERTOOLS,
    'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    'export const handler = middy(async () => db.config.region).use(injectLambdaContext(logger)).use(logMetrics(metrics));',
  ].join('\n'),
  'floor: +zod/mini': [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    "import * as z from './shared/zod.ts';",
    ...POWERTOOLS,
    'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    'const Input = z.object({ userId: z.string().check(z.minLength(1)), at: z.optional(z.iso.datetime()) });',
    'export const handler = middy(async (event) => Input.parse(event).userId + db.config.region).use(injectLambdaContext(logger)).use(logMetrics(metrics));',
  ].join('\n'),
  'floor: +sfn +sqs': [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    "import { SFNClient } from '@aws-sdk/client-sfn';",
    "import { SQSClient } from '@aws-sdk/client-sqs';",
    ...POWERTOOLS,
    'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    'const sfn = new SFNClient({});',
    'const sqs = new SQSClient({});',
    'export const handler = middy(async () => [db.config.region, sfn.config.region, sqs.config.region]).use(injectLambdaContext(logger)).use(logMetrics(metrics));',
  ].join('\n'),
};

/** Builds each floor into `dir` with the stack's esbuild options. */
export async function buildFloors(dir: string): Promise<Floor[]> {
  const floors: Floor[] = [];
  for (const [name, contents] of Object.entries(FLOORS)) floors.push(await buildFloor(dir, name, contents));
  return floors;
}

async function buildFloor(dir: string, name: string, contents: string): Promise<Floor> {
  const outdir = join(dir, name.replace(/\W+/g, '-'));
  await build({
    ...HOUSE_ESBUILD,
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    entryNames: 'index',
    outdir,
    logLevel: 'error',
  });
  const file = join(outdir, 'index.mjs');
  const bytes = filesLoadedAtImport(file).reduce((sum, loaded) => sum + statSync(loaded).size, 0);
  return { name, file, bytes, env: FUNCTION_NODE_OPTIONS };
}

/**
 * The packages a function's floor is made of: the AWS SDK (its clients,
 * `lib-dynamodb`, Smithy), Powertools and middy. Everything else a bundle
 * holds (zod, liquidjs, libphonenumber-js, our own modules) is ours.
 */
export const FLOOR_PACKAGES = ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*', '@middy/*'];

/** A package specifier that belongs to the floor (a package, or a subpath of one). */
export function isFloorPackage(specifier: string): boolean {
  return FLOOR_PACKAGES.some((pattern) => specifier.startsWith(pattern.slice(0, -1)));
}

/** One static import statement of a bundle: its specifier and the names it imports (to local names). */
type ImportStatement = { specifier: string; imported: Map<string, string> };

/** Static imports of an unminified esbuild ESM output (single statements, double quotes as esbuild writes them). */
function importStatements(code: string): ImportStatement[] {
  const statements: ImportStatement[] = [];
  for (const match of code.matchAll(/^import\s+(?:([^;]*?)\s+from\s+)?"([^"]+)";$/gms)) {
    const clause = match[1] ?? '';
    const specifier = match[2] ?? '';
    // imported name → local name; a default import is `default`, a namespace `*`.
    const imported = new Map<string, string>();
    const named = /\{([^}]*)\}/.exec(clause);
    for (const part of (named?.[1] ?? '').split(',')) {
      const [name, local] = part.trim().split(/\s+as\s+/);
      if (name) imported.set(name, local ?? name);
    }
    const outside = clause.replace(/\{[^}]*\}/, '');
    const namespace = /\*\s+as\s+([\w$]+)/.exec(outside);
    if (namespace?.[1]) imported.set('*', namespace[1]);
    const defaultName = /^\s*([\w$]+)/.exec(outside.replace(/\*\s+as\s+[\w$]+/, ''));
    if (defaultName?.[1]) imported.set('default', defaultName[1]);
    statements.push({ specifier, imported });
  }
  return statements;
}

/**
 * The source of a function's own floor: what `entry` imports from the floor
 * packages, found by bundling it with those packages left outside (so after
 * tree shaking: exactly the clients, commands and middleware its code still
 * uses), re-imported and exported so none is dropped, with the Powertools
 * logger and metrics created at import as `functions/_lib/observability.ts`
 * creates them. The SDK clients are not created: the functions create theirs
 * on first use.
 */
export async function floorSource(entry: string, options: { lazy?: boolean } = {}): Promise<string> {
  const external = [...(HOUSE_ESBUILD.external ?? []), ...FLOOR_PACKAGES];
  const result = await build({
    ...(options.lazy ? houseOptions() : HOUSE_ESBUILD),
    ...(options.lazy ? { outfile: 'out/index.mjs' } : { entryPoints: { index: entry }, outdir: 'out' }),
    ...(options.lazy ? { entryPoints: [entry] } : {}),
    minify: false,
    sourcemap: false,
    banner: {},
    external,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const index = Object.keys(result.metafile.outputs).find((path) => basename(path) === 'index.mjs');
  if (index === undefined) throw new Error(`${entry}: esbuild wrote no index.mjs`);
  const loaded = new Set(loadedAtImport(result.metafile, index).map((path) => basename(path)));
  const code = result.outputFiles
    .filter((file) => loaded.has(basename(file.path)))
    .map((file) => file.text)
    .join('\n');
  // Each (package, name) once, under a name of its own: the chunks were separate scopes.
  const bindings = new Map<string, { specifier: string; name: string; local: string }>();
  for (const statement of importStatements(code)) {
    if (!isFloorPackage(statement.specifier)) continue;
    for (const name of statement.imported.keys()) {
      const key = `${statement.specifier}\0${name}`;
      if (!bindings.has(key))
        bindings.set(key, { specifier: statement.specifier, name, local: `f${bindings.size}` });
    }
  }
  const lines = [...bindings.values()].map(({ specifier, name, local }) =>
    name === 'default'
      ? `import ${local} from ${JSON.stringify(specifier)};`
      : name === '*'
        ? `import * as ${local} from ${JSON.stringify(specifier)};`
        : `import { ${name} as ${local} } from ${JSON.stringify(specifier)};`,
  );
  const local = (name: string, specifier: string) => bindings.get(`${specifier}\0${name}`)?.local;
  const logger = local('Logger', '@aws-lambda-powertools/logger');
  const metrics = local('Metrics', '@aws-lambda-powertools/metrics');
  if (logger) lines.push(`export const logger = new ${logger}();`);
  if (metrics) lines.push(`export const metrics = new ${metrics}(${logger ? '{ logger }' : ''});`);
  lines.push(`export { ${[...bindings.values()].map((b) => b.local).join(', ')} };`);
  lines.push('export const handler = async () => {};');
  return lines.join('\n');
}

/**
 * A function's floor: its own SDK clients, Powertools and middy, no code of
 * ours (see {@link floorSource}); with `lazy`, those its lazy chunks import
 * too.
 */
export async function buildFunctionFloor(
  dir: string,
  name: string,
  entry: string,
  options: { lazy?: boolean } = {},
): Promise<Floor & { source: string }> {
  const source = await floorSource(entry, options);
  return { ...(await buildFloor(dir, `floor of ${name}`, source)), source };
}
