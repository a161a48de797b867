import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const sharedDir = join(root, 'shared');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const ALLOWED_PACKAGES = new Set(['zod', 'luxon', 'liquidjs', 'libphonenumber-js']);

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? sourceFiles(join(dir, e.name))
        : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

describe('shared/', () => {
  it('imports nothing outside shared/ but the pure libraries it is allowed', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(sharedDir)) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const specifier = match[1] ?? match[2] ?? '';
        const where = `${relative(root, file)} imports ${specifier}`;
        if (specifier.startsWith('.')) {
          if (relative(sharedDir, resolve(dirname(file), specifier)).startsWith('..')) offenders.push(where);
        } else if (specifier.startsWith('#')) {
          if (!specifier.startsWith('#shared/')) offenders.push(where);
        } else if (!ALLOWED_PACKAGES.has(specifier.split('/')[0] ?? '')) {
          offenders.push(where);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
