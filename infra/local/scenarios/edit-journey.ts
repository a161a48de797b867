import { JourneyJson } from './journey-files.ts';

/**
 * A scenario `deploy` step's edits to a parsed journey file: each `unset`
 * path is removed (a step, a field), then each `set` path is written. `null`
 * in `set` is a value like any other (a condition may compare with null); a
 * path to remove that is not in the file is an error, so a typo is not a
 * silent no-op.
 */
export function editJourney(
  journey: Record<string, unknown>,
  edits: { set?: Readonly<Record<string, unknown>>; unset?: readonly string[] },
): void {
  for (const path of edits.unset ?? []) {
    if (!unsetPath(journey, path.split('.')))
      throw new Error(`"${path}" is not in journey "${String(journey.id)}": there is nothing to unset`);
  }
  for (const [path, value] of Object.entries(edits.set ?? {})) setPath(journey, path.split('.'), value);
}

/**
 * Sets a dotted path in a parsed JSON object. `__proto__` is refused, never
 * followed; every other name is a key (a step may be called `constructor`).
 */
function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head === '__proto__') throw new Error(`"${path.join('.')}" is not a journey field`);
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = JourneyJson.safeParse(Object.hasOwn(target, head) ? target[head] : undefined).data ?? {};
  target[head] = child;
  setPath(child, rest, value);
}

/** Removes a dotted path from a parsed JSON object: false when it is not there. */
function unsetPath(target: Record<string, unknown>, path: string[]): boolean {
  const [head, ...rest] = path;
  if (head === undefined || head === '__proto__' || !Object.hasOwn(target, head)) return false;
  if (rest.length === 0) return delete target[head];
  // Parsing copies the object: the copy, edited, takes the original's place.
  const child = JourneyJson.safeParse(target[head]).data;
  if (child === undefined || !unsetPath(child, rest)) return false;
  target[head] = child;
  return true;
}
