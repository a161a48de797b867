import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/**
 * The files of the `shared` vitest project share their workers' module cache
 * with the unit tests (vitest.config.ts). Starting a local runtime there
 * would load its entry, which sets the handlers' log level and turns their
 * metrics off for the whole process (quiet-handlers.ts): a later unit test
 * of the metrics in the same worker would see none. Such files belong with
 * the runtimes (test/e2e/).
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const SHARED_FOLDERS = ['test/unit', 'test/infra', 'test/integration/offline', 'test/integration/local'];
const RUNTIME_ENTRIES = [
  /['"]#infra\/local\/index\.ts['"]/,
  /quiet-handlers\.ts['"]/,
  /['"]#infra\/local['"]/,
];

async function testFiles(folder: string): Promise<string[]> {
  const entries = await readdir(join(root, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

it('no test of the shared project loads the local runtime', async () => {
  const offenders: string[] = [];
  for (const folder of SHARED_FOLDERS)
    for (const file of await testFiles(folder)) {
      const text = await readFile(file, 'utf8');
      if (RUNTIME_ENTRIES.some((entry) => entry.test(text))) offenders.push(relative(root, file));
    }
  expect(offenders).toStrictEqual([]);
});
