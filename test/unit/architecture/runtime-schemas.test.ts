import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '#functions/manifests.ts';
import { houseOptions } from '../../bench/bundle-contents.ts';

/**
 * A function's cold start builds every schema its bundle holds. Only
 * deploy-journey, which validates and compiles journeys, builds the journey
 * language (classic zod); every other function reads what it needs with
 * `zod/mini` schemas and twins (docs/bundles.md). One import of the language
 * or of classic zod from their graph would bring back about 80 KB and the
 * time to build it: this checks each bundle as the stack builds it.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Functions that parse journeys themselves. */
const LANGUAGE_READERS: ReadonlySet<FunctionName> = new Set(['deploy-journey']);

/** The journey language's schemas. */
const LANGUAGE = ['shared/journey/schema.ts', 'shared/conditions/schema.ts'];

/** Every zod entry point but classic zod's. */
const isMini = (path: string) => path === 'zod/mini' || path.startsWith('zod/v4/locales/');

/**
 * What the function's bundle holds of ours, and the packages it imports,
 * by the stack's esbuild options but with packages left out (they are not
 * in question, and bundling the SDK nine times is slow).
 */
async function bundled(name: FunctionName): Promise<{ files: string[]; packages: string[] }> {
  const built = await build({
    ...houseOptions(),
    absWorkingDir: root,
    entryPoints: [join(root, 'functions', name, 'handler.ts')],
    outfile: 'index.mjs',
    packages: 'external',
    sourcemap: false,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const output = Object.values(built.metafile.outputs).find((o) => o.entryPoint !== undefined);
  return {
    files: Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
    packages: (output?.imports ?? []).filter((i) => i.external).map((i) => i.path),
  };
}

describe('the schemas a function builds at a cold start', () => {
  it.each(FUNCTION_NAMES.filter((name) => !LANGUAGE_READERS.has(name)))(
    '%s builds neither classic zod nor the journey language',
    async (name) => {
      const { files, packages } = await bundled(name);
      expect(files.some((path) => path.startsWith('functions/'))).toBe(true);
      expect(packages).toContain('zod/mini');
      expect(packages.filter((path) => path.startsWith('zod') && !isMini(path))).toEqual([]);
      expect(files.filter((path) => LANGUAGE.includes(path))).toEqual([]);
    },
  );
});
