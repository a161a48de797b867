import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { HOUSE_ESBUILD } from '#infra/constructs/bundling.ts';

/**
 * The runtime schemas use `zod/mini`, which has no messages of its own
 * ("Invalid input") until `shared/zod.ts` gives it classic zod's English
 * ones. In the test process classic zod is usually loaded too and would mask
 * a missing locale, so this checks a bundle built as the stack builds it, in
 * which only the runtime schemas exist.
 */
describe('runtime schema messages in a function bundle', () => {
  it('are the English messages of classic zod', async () => {
    const entry = [
      "import { parseCustomerEvent } from './shared/events.ts';",
      "const event = { type: 'track', event: 'E', userId: 'u'.repeat(1025), messageId: 'm', timestamp: '2026-11-30T10:00:00Z' };",
      'const result = parseCustomerEvent(event);',
      'export const problems = result.ok ? [] : result.problems;',
    ].join('\n');
    const built = await build({
      stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: HOUSE_ESBUILD.target,
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'error',
    });
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs.some((path) => path.includes('zod/v4/classic'))).toBe(false);
    const code = built.outputFiles[0]?.text ?? '';
    const module: { problems: { field: string; message: string }[] } = await import(
      `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
    );
    expect(module.problems).toEqual([
      { field: 'userId', message: 'Too big: expected string to have <=1024 characters' },
    ]);
  });
});
