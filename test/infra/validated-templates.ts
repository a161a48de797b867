import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { PROJECT_ROOT } from '#infra/cli/bundle/cache.js';

/**
 * Templates CDK's CloudFormation validation found nothing in, by a hash of
 * the template and of the aws-cdk-lib version (which ships the validation
 * engine and its rules): validating the same template again gives the same
 * verdict, and starting the engine costs about 5 s of CPU. Any change to the
 * template, or another aws-cdk-lib, is validated again. The newest few are
 * kept, beside tsc's incremental state.
 */
const FILE = join(PROJECT_ROOT, 'node_modules', '.cache', 'journeys-cfn-validation', 'clean.json');
const KEPT = 20;
const CDK_VERSION = z
  .object({ version: z.string() })
  .parse(createRequire(import.meta.url)('aws-cdk-lib/package.json')).version;

/** What identifies a template's verdict: the template and the engine that gave it. */
export function templateKey(template: unknown): string {
  return createHash('sha256').update(CDK_VERSION).update(JSON.stringify(template)).digest('hex');
}

function read(): string[] {
  try {
    return z
      .array(z.string())
      .catch([])
      .parse(JSON.parse(readFileSync(FILE, 'utf8')));
  } catch {
    return [];
  }
}

/** Whether a template with this key was validated clean before. */
export function validatedBefore(key: string): boolean {
  return read().includes(key);
}

/** Records a template validated clean, dropping the oldest past KEPT. */
export function rememberValidated(key: string): void {
  const keys = [...read().filter((k) => k !== key), key].slice(-KEPT);
  mkdirSync(dirname(FILE), { recursive: true });
  writeFileSync(FILE, JSON.stringify(keys));
}
