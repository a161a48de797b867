import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { houseOptions } from './bundle-contents.ts';

/** A handler that does nothing but load what every function loads, bundled as the stack bundles. */
export type Floor = { name: string; file: string; bytes: number };

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
