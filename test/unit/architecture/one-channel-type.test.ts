import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '#shared/channels.ts';
import { Template } from '#shared/templates.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const DEFINED_IN = 'shared/channels.ts';

/** The channels written out as a type or a list, in any order, instead of `Channel` / `CHANNELS`. */
const SPELLED_OUT = [
  /'(email|sms|push)'\s*\|\s*'(?!\1)(email|sms|push)'\s*\|\s*'(?!\1|\2)(email|sms|push)'/,
  /z\.enum\(\[\s*'(email|sms|push)',\s*'(?!\1)(email|sms|push)',\s*'(?!\1|\2)(email|sms|push)'\s*\]\)/,
];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? sourceFiles(join(dir, e.name))
        : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

describe('the channels a journey delivers on', () => {
  it(`are one type, Channel of ${DEFINED_IN}, which every other module names`, async () => {
    const offenders: string[] = [];
    for (const dir of ['shared', 'functions', 'infra']) {
      for (const file of await sourceFiles(dir)) {
        if (relative(root, join(root, file)) === DEFINED_IN) continue;
        const lines = (await readFile(join(root, file), 'utf8')).split('\n');
        lines.forEach((line, index) => {
          if (SPELLED_OUT.some((pattern) => pattern.test(line)))
            offenders.push(`${file}:${index + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders).toStrictEqual([]);
  });

  it('each have their form of template, and templates exist for no other', () => {
    const channels = Template._zod.def.options.flatMap((form) => [...(form._zod.propValues?.channel ?? [])]);
    expect(channels.toSorted()).toStrictEqual([...CHANNELS].toSorted());
  });
});
