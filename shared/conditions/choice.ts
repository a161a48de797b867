import type { ChoiceComparison, ChoiceRule } from './choice-rule.ts';
import { operationOf } from './compare.ts';
import { canRenderAsChoice, PLAIN_IDENTIFIER } from './inspect.ts';
import { pathSegments } from './path.ts';
import type { Comparison, Condition, Scalar } from './schema.ts';

export type { ChoiceBranch, ChoiceComparison, ChoiceRule } from './choice-rule.ts';

/** Where the execution state carries the data that `trigger.*` and `event.*` paths read. */
export interface ChoiceRoots {
  trigger: string;
  event: string;
  /** Where the journey context is (default `$.context`). */
  context?: string;
}

const DEFAULT_ROOTS: ChoiceRoots = { trigger: '$.trigger', event: '$.event', context: '$.context' };

/** One rule from several: the rule itself when alone, otherwise `And`/`Or` of them. */
function combine(kind: 'And' | 'Or', rules: ChoiceRule[]): ChoiceRule {
  const [only, ...others] = rules;
  if (only !== undefined && others.length === 0) return only;
  return kind === 'And' ? { And: rules } : { Or: rules };
}

/**
 * A comparison on a value known to be present and of the right type: a
 * Choice comparison on a missing variable fails the execution
 * (States.Runtime), and `And` stops at the first false rule.
 */
function guarded(variable: string, test: 'IsString' | 'IsNumeric' | 'IsBoolean', rule: ChoiceComparison) {
  const typeTest: ChoiceComparison =
    test === 'IsString'
      ? { Variable: variable, IsString: true }
      : test === 'IsNumeric'
        ? { Variable: variable, IsNumeric: true }
        : { Variable: variable, IsBoolean: true };
  return { And: [{ Variable: variable, IsPresent: true }, typeTest, rule] } satisfies ChoiceRule;
}

function equals(variable: string, operand: Scalar): ChoiceRule {
  if (operand === null)
    return {
      And: [
        { Variable: variable, IsPresent: true },
        { Variable: variable, IsNull: true },
      ],
    };
  if (typeof operand === 'string')
    return guarded(variable, 'IsString', { Variable: variable, StringEquals: operand });
  if (typeof operand === 'number')
    return guarded(variable, 'IsNumeric', { Variable: variable, NumericEquals: operand });
  return guarded(variable, 'IsBoolean', { Variable: variable, BooleanEquals: operand });
}

function order(variable: string, op: 'gt' | 'gte' | 'lt' | 'lte', operand: number | string): ChoiceRule {
  const v = variable;
  if (typeof operand === 'number') {
    const numeric: Record<typeof op, ChoiceComparison> = {
      gt: { Variable: v, NumericGreaterThan: operand },
      gte: { Variable: v, NumericGreaterThanEquals: operand },
      lt: { Variable: v, NumericLessThan: operand },
      lte: { Variable: v, NumericLessThanEquals: operand },
    };
    return guarded(v, 'IsNumeric', numeric[op]);
  }
  const text: Record<typeof op, ChoiceComparison> = {
    gt: { Variable: v, StringGreaterThan: operand },
    gte: { Variable: v, StringGreaterThanEquals: operand },
    lt: { Variable: v, StringLessThan: operand },
    lte: { Variable: v, StringLessThanEquals: operand },
  };
  return guarded(v, 'IsString', text[op]);
}

/**
 * The smallest string above every string that starts with `prefix`, in
 * code-unit order; `undefined` when there is none (a prefix of only U+FFFF).
 */
function prefixUpperBound(prefix: string): string | undefined {
  const stem = prefix.replace(/\uffff+$/, '');
  if (stem === '') return undefined;
  return stem.slice(0, -1) + String.fromCharCode(stem.charCodeAt(stem.length - 1) + 1);
}

/**
 * `startsWith` as a code-unit range, [prefix, upper bound): exact in every
 * engine, whereas `StringMatches` differs between them (the local
 * interpreter reads `?` as a wildcard and its `*` stops at line breaks).
 */
function startsWith(variable: string, prefix: string): ChoiceRule {
  const rules: ChoiceRule[] = [
    { Variable: variable, IsPresent: true },
    { Variable: variable, IsString: true },
  ];
  if (prefix !== '') rules.push({ Variable: variable, StringGreaterThanEquals: prefix });
  const upper = prefixUpperBound(prefix);
  if (prefix !== '' && upper !== undefined) rules.push({ Variable: variable, StringLessThan: upper });
  return { And: rules };
}

function present(variable: string): ChoiceRule {
  return { And: [{ Variable: variable, IsPresent: true }, { Not: { Variable: variable, IsNull: true } }] };
}

function variableOf(path: string, roots: ChoiceRoots): string {
  // Every name is letters, digits and `_` here (canRenderAsChoice): one outside ASCII goes in brackets.
  const [root, ...rest] = pathSegments(path);
  const base =
    root === 'trigger' ? roots.trigger : root === 'context' ? (roots.context ?? '$.context') : roots.event;
  return rest.reduce((at, s) => (PLAIN_IDENTIFIER.test(s) ? `${at}.${s}` : `${at}['${s}']`), base);
}

function renderComparison(comparison: Comparison, roots: ChoiceRoots): ChoiceRule {
  const operation = operationOf(comparison);
  const v = variableOf(comparison.path, roots);
  switch (operation?.op) {
    case 'eq':
      return equals(v, operation.operand);
    case 'ne':
      return { Not: equals(v, operation.operand) };
    case 'in':
      return combine(
        'Or',
        operation.operand.map((operand) => equals(v, operand)),
      );
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return order(v, operation.op, operation.operand);
    case 'startsWith':
      return startsWith(v, operation.operand);
    case 'exists':
      return operation.operand ? present(v) : { Not: present(v) };
    default:
      throw new Error(`The comparison on ${comparison.path} cannot be rendered as a Choice rule.`);
  }
}

function render(condition: Condition, roots: ChoiceRoots): ChoiceRule {
  if ('all' in condition)
    return combine(
      'And',
      condition.all.map((inner) => render(inner, roots)),
    );
  if ('any' in condition)
    return combine(
      'Or',
      condition.any.map((inner) => render(inner, roots)),
    );
  if ('not' in condition) return { Not: render(condition.not, roots) };
  if ('performed' in condition)
    throw new Error('An event-history check cannot be rendered as a Choice rule.');
  return renderComparison(condition, roots);
}

/**
 * Renders a condition as an ASL Choice rule (JSONPath, no `Next`) that takes
 * the same decision as {@link evaluateCondition} on the same `trigger` and
 * `event` data, including for missing fields and values of the wrong type:
 * every comparison is guarded by `IsPresent` and a type test inside `And`.
 *
 * @param roots - Reference Paths of the trigger and event in the execution state
 * @throws Error when {@link canRenderAsChoice} rejects the condition
 */
export function renderChoiceRule(condition: Condition, roots: ChoiceRoots = DEFAULT_ROOTS): ChoiceRule {
  if (!canRenderAsChoice(condition)) {
    throw new Error(
      'This condition cannot run as a Choice rule: it reads the profile, uses performed, contains or a relative date, or a path segment that is not a plain identifier.',
    );
  }
  return render(condition, roots);
}
