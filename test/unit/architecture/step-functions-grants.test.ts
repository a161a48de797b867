import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FunctionManifest } from '#functions/_lib/manifest.ts';
import { MANIFESTS } from '#functions/manifests.ts';
import { DEPLOY_ACTIONS, EXECUTION_ACTIONS } from '#infra/constructs/permissions.ts';

/**
 * The Step Functions actions a manifest's bindings grant reach every journey
 * (`journey-*`, or every task token of the account, which names no
 * resource): each one must be a call its function's code makes. (The modules
 * a handler imports reach more than it calls, so the other direction is the
 * stack tests' and the local runtime's.)
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));

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

/** The Step Functions actions a function's bindings grant. */
function grantedActions({ bindings }: FunctionManifest): string[] {
  const scope = bindings.journeyExecutions;
  return [
    ...(scope === undefined || scope === 'describe' ? [] : ['states:StartExecution']),
    ...(scope === undefined ? [] : EXECUTION_ACTIONS[scope]),
    ...(bindings.journeyDeployment === undefined ? [] : DEPLOY_ACTIONS),
    ...(bindings.taskCallbacks ?? []).map((c) =>
      c === 'success' ? 'states:SendTaskSuccess' : 'states:SendTaskFailure',
    ),
  ];
}

describe('Step Functions grants', () => {
  it.each(MANIFESTS.map((m) => [m.name, m] as const))(
    '%s: granted only actions its code calls',
    (name, manifest) => {
      const code = reachable(join(root, 'functions', name, 'handler.ts')).map((f) => readFileSync(f, 'utf8'));
      const unused = grantedActions(manifest).filter((action) => {
        const command = `new ${action.slice('states:'.length)}Command(`;
        return !code.some((text) => text.includes(command));
      });
      expect(unused).toEqual([]);
    },
  );
});
