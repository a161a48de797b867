import { isRecord, pathSegments } from '../../conditions/path.ts';
import { carriedName } from '../compile/reference-path.ts';
import { type Violation, violation } from '../violations.ts';
import type { CheckContext } from './context.ts';

/** Paths the state machine itself reads: `{ "from": path }` values anywhere in a step, and `match` values. */
function copiedPaths(id: string, step: unknown): { at: PropertyKey[]; path: string }[] {
  const out: { at: PropertyKey[]; path: string }[] = [];
  const visit = (value: unknown, at: PropertyKey[]) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, [...at, i]);
      });
    }
    if (!isRecord(value)) return;
    // A copied value is `{ "from": path }` and nothing else (a message step's own `from` is its sender).
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'from' && typeof value.from === 'string') {
      out.push({ at: [...at, 'from'], path: value.from });
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'match' && isRecord(inner)) {
        for (const [left, right] of Object.entries(inner)) {
          if (typeof right === 'string') out.push({ at: [...at, key, left], path: right });
        }
      } else if (key !== 'when' && key !== 'where') visit(inner, [...at, key]);
    }
  };
  visit(step, ['steps', id]);
  return out;
}

/**
 * A value the state machine copies is read by a Step Functions path, which
 * cannot name every name a condition can (quotes, brackets, parentheses,
 * a leading `@`):
 * such a copy is refused here rather than failing every enrollment.
 */
export function checkCarriedNames({ steps }: CheckContext): Violation[] {
  return Object.entries(steps).flatMap(([id, step]) =>
    copiedPaths(id, step).flatMap(({ at, path }) => {
      const name = pathSegments(path)
        .slice(1)
        .find((segment) => !carriedName(segment));
      if (name === undefined) return [];
      return [
        violation(
          at,
          'value.name',
          `"${path}" cannot be copied: Step Functions paths cannot name ${JSON.stringify(name)} (they hold letters, digits, spaces and _$@:.- and start with a letter, a digit, a space or _). Conditions can read it; to copy it, send it under another name.`,
        ),
      ];
    }),
  );
}
