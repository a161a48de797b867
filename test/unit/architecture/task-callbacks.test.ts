import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MANIFESTS } from '#functions/manifests.ts';

/**
 * A manifest's `taskCallbacks` grant Step Functions callbacks on every task
 * token of the account (tokens name no resource): each one must be a call
 * its function's code makes. (The modules a handler imports reach more than
 * it calls, so the other direction is the stack tests' and the local runtime's.)
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const CALLS = { success: 'SendTaskSuccessCommand', failure: 'SendTaskFailureCommand' } as const;

/** The project modules a handler reaches through its imports (functions/ and shared/). */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() ?? '';
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '([^']+\.ts)'/g)) {
      if (spec === undefined) continue;
      if (spec.startsWith('#functions/')) queue.push(join(root, 'functions', spec.slice(11)));
      else if (spec.startsWith('#shared/')) queue.push(join(root, 'shared', spec.slice(8)));
      else if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
    }
  }
  return [...seen];
}

describe('Step Functions task callbacks', () => {
  it.each(MANIFESTS.map((m) => [m.name, m] as const))(
    '%s: granted only callbacks it sends',
    (name, manifest) => {
      const code = reachable(join(root, 'functions', name, 'handler.ts')).map((f) => readFileSync(f, 'utf8'));
      const sent = (Object.keys(CALLS) as (keyof typeof CALLS)[]).filter((callback) =>
        code.some((text) => new RegExp(`new ${CALLS[callback]}\\(`).test(text)),
      );
      const granted = manifest.bindings.taskCallbacks ?? [];
      expect(granted.filter((callback) => !sent.includes(callback))).toEqual([]);
    },
  );
});
