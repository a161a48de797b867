import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Why a data folder holds nothing a runtime wrote, or undefined when one ran
 * on it (it keeps its database there from the first start). A mistyped
 * `--data-dir` is said as such, never read as a runtime that did nothing.
 */
export function noRuntimeData(dataDir: string): string | undefined {
  if (existsSync(join(dataDir, 'dynamodb'))) return undefined;
  return `no local runtime data in ${dataDir}: nothing has run on this folder. Start the runtime (npm start), or pass --data-dir with the folder it runs on.`;
}
