import { dateOperand, type Operation, operationOf } from './compare.ts';
import { pathSegments } from './path.ts';
import type { Comparison, Condition } from './schema.ts';

/**
 * Static questions about a condition tree, asked by validation and by the
 * compiler before choosing a back end.
 */

type Branches = { all: Condition[] } | { any: Condition[] } | { not: Condition };

/** Calls `visit` on every comparison and history check of the tree, depth first, in order. */
function forEachLeaf(condition: Condition, visit: (leaf: Exclude<Condition, Branches>) => void): void {
  if ('all' in condition) for (const inner of condition.all) forEachLeaf(inner, visit);
  else if ('any' in condition) for (const inner of condition.any) forEachLeaf(inner, visit);
  else if ('not' in condition) forEachLeaf(condition.not, visit);
  else visit(condition);
}

/** The path an event-history check reads (the counters of every event name live there). */
const HISTORY_PATH = 'profile.events';

/**
 * Every path the condition reads, each once, in first-seen order. A
 * `performed` check reads {@link HISTORY_PATH}.
 */
export function conditionPaths(condition: Condition): string[] {
  const paths = new Set<string>();
  forEachLeaf(condition, (leaf) => {
    paths.add('performed' in leaf ? HISTORY_PATH : leaf.path);
  });
  return [...paths];
}

/** A path segment a JSONPath Reference Path can carry in dot notation. */
export const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A name of any script a Choice rule can read: a letter or `_`, then letters, marks, digits and `_`
 * (JsonPath's member-name-shorthand, without its punctuation). Names outside ASCII are written in
 * brackets (`$.event.properties['prénom']`), which Step Functions and the local interpreter read alike.
 */
const CHOICE_NAME = /^[\p{L}_][\p{L}\p{M}\p{N}_]*$/u;

/**
 * Identifiers that name something other than data to some JSONPath engine:
 * the evaluator reads none of them (or, for `length`, not on arrays and
 * strings), while the local interpreter's JSONPath would.
 */
const RESERVED_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', 'length']);

/** Operators a Choice rule cannot express with the evaluator's semantics. */
const NOT_RENDERABLE = new Set(['within', 'olderThan', 'withinNext', 'contains']);

/** An order comparison with a date: the evaluator compares instants, a Choice's String* rules only text. */
function comparesDates(operation: Operation): boolean {
  return (
    (operation.op === 'gt' || operation.op === 'gte' || operation.op === 'lt' || operation.op === 'lte') &&
    typeof operation.operand === 'string' &&
    dateOperand(operation.operand) !== undefined
  );
}

/**
 * True when the condition reads a date from the data (`within`, `olderThan`,
 * `withinNext`, or an order comparison with a date): only then does the
 * customer's zone matter to it.
 */
export function readsDates(condition: Condition): boolean {
  let found = false;
  forEachLeaf(condition, (leaf) => {
    if ('performed' in leaf) return;
    const operation = operationOf(leaf);
    if (operation === undefined) return;
    const relative =
      operation.op === 'within' || operation.op === 'olderThan' || operation.op === 'withinNext';
    if (relative || comparesDates(operation)) found = true;
  });
  return found;
}

function comparisonRenderable(comparison: Comparison): boolean {
  const operation = operationOf(comparison);
  if (operation === undefined || NOT_RENDERABLE.has(operation.op) || comparesDates(operation)) return false;
  const [root, ...rest] = pathSegments(comparison.path);
  if (root !== 'trigger' && root !== 'event' && root !== 'context') return false;
  return rest.length > 0 && rest.every((s) => CHOICE_NAME.test(s) && !RESERVED_SEGMENTS.has(s));
}

/**
 * True when the condition can run as an ASL Choice rule with exactly the
 * evaluator's semantics: it reads only `trigger.*`, `event.*` and `context.*`
 * (data the execution carries), every path segment is a name of letters, digits and `_` in any script (no array
 * index, no `__proto__`/`constructor`/`prototype`/`length`), and it uses no
 * relative-date operator (`within`, `olderThan`, `withinNext`: a Choice has
 * no "now"), no order comparison with a date (the evaluator compares
 * instants, a Choice rule only text), no `performed` (the profile is not in
 * the execution) and no `contains` (a Choice rule cannot look inside an array).
 */
export function canRenderAsChoice(condition: Condition): boolean {
  let renderable = true;
  forEachLeaf(condition, (leaf) => {
    if ('performed' in leaf || !comparisonRenderable(leaf)) renderable = false;
  });
  return renderable;
}
