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

/** Every path the state machine reads: the steps' copies and matches, and the context variables' sources. */
function statePaths({ steps, variables }: CheckContext): { at: PropertyKey[]; path: string }[] {
  const fromContext = Object.entries(variables ?? {}).flatMap(([name, variable]) =>
    typeof variable?.from === 'string' ? [{ at: ['context', name, 'from'], path: variable.from }] : [],
  );
  return [...Object.entries(steps).flatMap(([id, step]) => copiedPaths(id, step)), ...fromContext];
}

/** Why a Step Functions path cannot carry a path's segments, or undefined when it can. */
function uncarried(at: PropertyKey[], path: string): Violation | undefined {
  const segments = pathSegments(path).slice(1);
  // AWS Reference Paths have no length (an array's `.length` reaches nothing), the local
  // interpreter's JSONPath engine answers an array's length and the evaluator reads nothing.
  if (segments.includes('length'))
    return violation(
      at,
      'value.length',
      `"${path}" cannot be copied: Step Functions paths have no length (on a list it reads nothing, and the execution fails), so "length" is never a segment of a copied path. Conditions can read it; to copy a count, send it as a property of its own.`,
    );
  const name = segments.find((segment) => !carriedName(segment));
  if (name === undefined) return undefined;
  return violation(
    at,
    'value.name',
    `"${path}" cannot be copied: Step Functions paths cannot name ${JSON.stringify(name)} (they hold letters, digits, spaces and _$@:.- and start with a letter, a digit, a space or _). Conditions can read it; to copy it, send it under another name.`,
  );
}

/**
 * A value the state machine copies is read by a Step Functions path, which
 * cannot name every name a condition can (quotes, brackets, parentheses,
 * a leading `@`, a `length` that engines read differently):
 * such a copy is refused here rather than failing every enrollment.
 */
export function checkCarriedNames(context: CheckContext): Violation[] {
  return statePaths(context).flatMap(({ at, path }) => {
    const found = uncarried(at, path);
    return found === undefined ? [] : [found];
  });
}
