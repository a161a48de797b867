import { traitProblem } from './limits.ts';

/**
 * Why one trait does not fit a profile, or undefined when it does: the same
 * limits an identify call's traits meet at the edge (name length and reserved
 * names, value size and nesting), for traits that come from anywhere else
 * (an `updateProfile` step).
 */
export function traitLimitProblem(trait: string, value: unknown): string | undefined {
  return traitProblem(trait, value);
}
