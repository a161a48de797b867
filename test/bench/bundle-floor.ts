import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { houseOptions } from './bundle-contents.ts';

/** A handler that does nothing but load what every function loads, bundled as the stack bundles. */
export type Floor = { name: string; file: string; bytes: number };

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The floors the functions' cold imports are measured against: an empty
 * handler that creates the DynamoDB document client at import (as the
 * functions do), and the same with the Powertools logger and metrics and
 * middy that every function wraps its handler in. No code of ours.
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
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
    "import { Metrics } from '@aws-lambda-powertools/metrics';",
    "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
    "import middy from '@middy/core';",
    'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    'const logger = new Logger();',
    'const metrics = new Metrics({ logger });',
    'export const handler = middy(async () => db.config.region).use(injectLambdaContext(logger)).use(logMetrics(metrics));',
  ].join('\n'),
};

/** Builds each floor into `dir` with the stack's esbuild options. */
export async function buildFloors(dir: string): Promise<Floor[]> {
  const floors: Floor[] = [];
  for (const [name, contents] of Object.entries(FLOORS)) {
    const result = await build({
      ...houseOptions(),
      stdin: { contents, resolveDir: ROOT, loader: 'ts' },
      outfile: 'index.mjs',
      sourcemap: false,
      write: false,
      logLevel: 'error',
    });
    const code = result.outputFiles.find((file) => file.path.endsWith('index.mjs'));
    if (!code) throw new Error(`${name}: esbuild wrote no index.mjs`);
    const file = join(dir, `${name.replace(/\W+/g, '-')}.mjs`);
    writeFileSync(file, code.contents);
    floors.push({ name, file, bytes: code.contents.byteLength });
  }
  return floors;
}
