import type { ChoiceRule } from '#shared/conditions/choice-rule.ts';
import type { Json } from '#shared/journey/compile/asl.ts';
import { read, StatesError } from './paths.ts';

/**
 * Choice rules as Step Functions evaluates them: a comparison on a missing
 * variable fails the execution (States.Runtime), a type test does not.
 */
export function matches(rule: ChoiceRule, state: Json): boolean {
  if ('And' in rule) return rule.And.every((r) => matches(r, state));
  if ('Or' in rule) return rule.Or.some((r) => matches(r, state));
  if ('Not' in rule) return !matches(rule.Not, state);
  const value = read(state, rule.Variable);
  if ('IsPresent' in rule) return value !== undefined;
  if ('IsNull' in rule) return value === null;
  if ('IsString' in rule) return typeof value === 'string';
  if ('IsNumeric' in rule) return typeof value === 'number';
  if ('IsBoolean' in rule) return typeof value === 'boolean';
  if (value === undefined)
    throw new StatesError(
      'States.Runtime',
      `Invalid path '${rule.Variable}': The choice state's condition path references an invalid value.`,
    );
  if ('BooleanEquals' in rule) return value === rule.BooleanEquals;
  if ('StringMatches' in rule) return typeof value === 'string' && wildcard(rule.StringMatches).test(value);
  for (const [op, operand] of Object.entries(rule)) {
    if (op === 'Variable') continue;
    if (typeof operand === 'number') return typeof value === 'number' && compare(op, value, operand);
    if (typeof operand === 'string') return typeof value === 'string' && compare(op, value, operand);
  }
  throw new StatesError(
    'States.Runtime',
    `The simulator does not implement the rule ${JSON.stringify(rule)}`,
  );
}

function compare<T extends number | string>(op: string, a: T, b: T): boolean {
  if (op.endsWith('GreaterThanEquals')) return a >= b;
  if (op.endsWith('GreaterThan')) return a > b;
  if (op.endsWith('LessThanEquals')) return a <= b;
  if (op.endsWith('LessThan')) return a < b;
  return a === b;
}

/** StringMatches: `*` is any run of characters, `\*` a literal star. */
function wildcard(pattern: string): RegExp {
  const source = pattern
    .split(/(\\\*|\*)/)
    .map((part) =>
      part === '*' ? '.*' : part === '\\*' ? '\\*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, 's');
}
