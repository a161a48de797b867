import { pathSegments } from '../../conditions/path.ts';
import { type Violation, violation } from '../violations.ts';
import { isUnderBase } from '../webhook.ts';
import type { CheckContext } from './context.ts';

const SOURCES = /^(trigger|event|context)\./;

/**
 * Webhook steps: a known connection and a URL under its base (when the
 * connections are known), sent values the execution carries, and response
 * fields mapped only into declared variables.
 */
export function checkWebhooks({ steps, variables, connections }: CheckContext): Violation[] {
  const declared = variables ?? {};
  const out: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'webhook') continue;
    const at = ['steps', id];
    const base = connections?.get(step.connection);
    if (connections !== undefined && base === undefined)
      out.push(
        violation(
          [...at, 'connection'],
          'webhook.connection',
          `Unknown connection "${step.connection}"; the stack defines: ${[...connections.keys()].join(', ') || 'none'}.`,
        ),
      );
    if (base !== undefined && !isUnderBase(step.url, base))
      out.push(
        violation(
          [...at, 'url'],
          'webhook.url',
          `must start with the connection's base URL ${base} (the connection's credentials are sent only there).`,
        ),
      );
    for (const field of ['body', 'query'] as const)
      for (const [key, value] of Object.entries(step[field] ?? {})) {
        if (typeof value !== 'object') continue;
        const where = [...at, field, key, 'from'];
        const [root, name] = pathSegments(value.from);
        if (!SOURCES.test(value.from))
          out.push(
            violation(
              where,
              'value.source',
              `Values sent come from trigger.*, event.* or context.*, not "${value.from}" (the profile is not in the execution).`,
            ),
          );
        else if (root === 'context' && (name === undefined || !Object.hasOwn(declared, name)))
          out.push(
            violation(
              where,
              'context.undeclared',
              `"${value.from}" is not a declared context variable (see "context").`,
            ),
          );
      }
    for (const name of Object.keys(step.response ?? {}))
      if (!Object.hasOwn(declared, name))
        out.push(
          violation(
            [...at, 'response', name],
            'context.undeclared',
            `"${name}" is not a declared context variable (see "context").`,
          ),
        );
  }
  return out;
}
