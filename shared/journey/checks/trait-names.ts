import { isRecord, pathSegments } from '../../conditions/path.ts';
import { type Violation, violation } from '../violations.ts';
import type { CheckContext } from './context.ts';

/** Keys whose string values are paths the journey reads. */
const PATH_KEYS = new Set(['path', 'from', 'correlationKey', 'value']);
/** The roots whose next segment is a trait name, kept trimmed (shared/names.ts): a profile's and an identify call's. */
const TRAIT_ROOTS = new Set(['profile', 'trigger', 'event']);

/** Every path the journey reads, with where it is: a condition's or copy's path, a match's two sides. */
function readPaths(value: unknown, at: PropertyKey[], out: { at: PropertyKey[]; path: string }[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      readPaths(item, [...at, i], out);
    });
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string' && PATH_KEYS.has(key)) out.push({ at: [...at, key], path: inner });
    else if (key === 'match' && isRecord(inner)) {
      for (const [left, right] of Object.entries(inner)) {
        out.push({ at: [...at, key, left], path: left });
        if (typeof right === 'string') out.push({ at: [...at, key, left], path: right });
      }
    } else readPaths(inner, [...at, key], out);
  }
}

/** The trait name a path reads when it has spaces around it, else undefined. */
function spacedTrait(path: string): string | undefined {
  const [root, field, name] = pathSegments(path);
  if (root === undefined || !TRAIT_ROOTS.has(root) || field !== 'traits' || name === undefined)
    return undefined;
  return name === name.trim() ? undefined : name;
}

/**
 * Trait names are kept trimmed (an identify call's ` plan ` is `plan`), so a
 * path naming a trait with a space before or after it reads a trait no
 * customer has: its condition is never true and its copy is always missing.
 */
export function traitSpaceWarnings(context: CheckContext): Violation[] {
  const { trigger, audience, goal, exitOn, steps, variables } = context;
  const found: { at: PropertyKey[]; path: string }[] = [];
  readPaths({ trigger, audience, goal, exitOn, context: variables, steps }, [], found);
  return found.flatMap(({ at, path }) => {
    const name = spacedTrait(path);
    if (name === undefined) return [];
    const trimmed = JSON.stringify(name.trim());
    return [
      violation(
        at,
        'trait.spaces',
        `"${path}" names the trait ${JSON.stringify(name)}, with a space before or after it: trait names are kept trimmed, so no customer has it and this never matches. Name it ${trimmed}.`,
      ),
    ];
  });
}
