import { dictionaryOf } from '../dictionary.ts';
import { stringFitProblem } from './context-names.ts';
import type { ContextLiteral } from './journey-context.ts';

/**
 * What a step sets in the context when a value it copies may be longer than
 * its variable declares. Step Functions' JSONPath has no string length test
 * (and JSONata is not an option), so a compiled Choice can check that a
 * copied value is there and of its type, but not its length: the evaluate
 * function applies the length here, where the value is at hand.
 */

/** One variable a step sets: `copied` when it comes from data (the trigger, the awaited event, a response). */
export type ContextSet = { name: string; value: ContextLiteral; copied?: boolean; maxLength?: number };

/**
 * How a value that does not fit is not set: `step` (updateContext) sets
 * every copied variable of the step to null, as for a missing value; `each`
 * (a webhook response) sets only that variable to null.
 */
export type UnsetRule = 'step' | 'each';

/** True for a string that does not fit its declared maxLength, by the rule entry applies (`stringFitProblem`). */
function tooLong(set: ContextSet): boolean {
  return (
    typeof set.value === 'string' &&
    set.maxLength !== undefined &&
    stringFitProblem(set.value, set.maxLength) !== undefined
  );
}

/** The whole context after the step: `context` with `sets` applied under the unset rule. */
export function contextAfter(
  context: Readonly<Record<string, ContextLiteral>>,
  sets: readonly ContextSet[],
  rule: UnsetRule,
): Record<string, ContextLiteral> {
  const anyTooLong = sets.some(tooLong);
  const unset = (set: ContextSet) => tooLong(set) || (rule === 'step' && anyTooLong && set.copied === true);
  return dictionaryOf<ContextLiteral>([
    ...Object.entries(context),
    ...sets.map((set) => [set.name, unset(set) ? null : set.value] as const),
  ]);
}
