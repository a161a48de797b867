import {
  MAX_KEY_LENGTH,
  MAX_NESTING_DEPTH,
  MAX_TRAIT_VALUE_BYTES,
  RESERVED_KEYS,
  structuralProblems,
} from './limits.ts';

/**
 * Why one trait does not fit a profile, or undefined when it does: the same
 * limits an identify call's traits meet at the edge (name length and reserved
 * names, value size and nesting), for traits that come from anywhere else
 * (an `updateProfile` step).
 */
export function traitLimitProblem(trait: string, value: unknown): string | undefined {
  if (trait.length === 0) return 'a trait needs a name';
  if (trait.length > MAX_KEY_LENGTH) return `a trait name is limited to ${MAX_KEY_LENGTH} characters`;
  if (RESERVED_KEYS.has(trait)) return `"${trait}" cannot be a trait name (JavaScript reserves it)`;
  const json = JSON.stringify(value);
  const bytes = json === undefined ? 0 : new TextEncoder().encode(json).length;
  if (bytes > MAX_TRAIT_VALUE_BYTES)
    return `value is ${bytes} bytes; a trait value is limited to ${MAX_TRAIT_VALUE_BYTES} bytes`;
  const [problem] = structuralProblems(value);
  if (problem !== undefined)
    return `value ${problem.message} (limit: ${MAX_NESTING_DEPTH} levels, keys of ${MAX_KEY_LENGTH} characters)`;
  return undefined;
}
