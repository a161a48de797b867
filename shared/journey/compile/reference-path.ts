/**
 * JSONPath Reference Paths into the execution state, as the compiler writes
 * them for the values a state machine copies (`{ "from": "trigger.…" }`, a
 * `waitForEvent` match, a context variable).
 */

/** A name Reference Paths carry after a dot. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A name Reference Paths carry in brackets, in Step Functions and in the
 * local interpreter alike: letters, digits and marks of any script, spaces
 * and `_`, then also `$@:.-`. Quotes, backslashes, brackets and parentheses
 * are read as path syntax by one JSONPath engine or the other (the local one
 * evaluates `(…)` as script), and so are `@` and `$` leading a name, so a
 * name holding them is never put in a path.
 */
const CARRIED_NAME = /^[\p{L}\p{M}\p{N}_ ][\p{L}\p{M}\p{N}_$@:. -]*$/u;

/** True when a Reference Path can name `name` (see {@link CARRIED_NAME}). */
export function carriedName(name: string): boolean {
  return CARRIED_NAME.test(name);
}

/** Thrown when asked for a path to a name Reference Paths cannot carry; validation refuses such journeys first. */
export class UncarriedNameError extends Error {
  override name = 'UncarriedNameError';
}

/** A JSONPath Reference Path from segments: dot notation for identifiers, brackets otherwise. */
export function referencePath(root: string, segments: readonly string[]): string {
  return segments.reduce((path, s) => {
    if (IDENTIFIER.test(s)) return `${path}.${s}`;
    if (!carriedName(s))
      throw new UncarriedNameError(`A Step Functions path cannot name ${JSON.stringify(s)}.`);
    return `${path}['${s}']`;
  }, root);
}
