import { compareOrder, containsValue, existsMatches, operationOf, scalarEquals } from './compare.ts';
import { performedMatches } from './history.ts';
import { readPath } from './path.ts';
import { compareRelative } from './relative-time.ts';
import type { Comparison, Condition } from './schema.ts';

/** What a condition sees: the data under `profile.*`, `event.*` and `trigger.*`, and the current time. */
export interface ConditionContext {
  profile?: unknown;
  event?: unknown;
  trigger?: unknown;
  /** The journey context (inside a journey's steps only). */
  context?: unknown;
  now: Date;
}

/** The comparison's verdict on the value read at its path (`undefined` when the path is missing). */
function compare(comparison: Comparison, value: unknown, now: Date): boolean {
  const operation = operationOf(comparison);
  if (operation === undefined) return false;
  switch (operation.op) {
    case 'eq':
      return scalarEquals(value, operation.operand);
    case 'ne':
      return !scalarEquals(value, operation.operand);
    case 'in':
      return operation.operand.some((operand) => scalarEquals(value, operand));
    case 'contains':
      return containsValue(value, operation.operand);
    case 'startsWith':
      return typeof value === 'string' && value.startsWith(operation.operand);
    case 'exists':
      return existsMatches(value, operation.operand);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compareOrder(operation.op, value, operation.operand);
    case 'within':
    case 'olderThan':
    case 'withinNext':
      return compareRelative(operation.op, value, operation.operand, now);
  }
}

/**
 * Evaluates a condition tree. Pure and total: it never throws, whatever the
 * data holds.
 *
 * Semantics, for the value read at a comparison's path:
 * - a missing path (or a value of another type than the operand) makes
 *   `eq`, `in`, `gt`/`gte`/`lt`/`lte`, `contains`, `startsWith`, `within`,
 *   `olderThan` and `withinNext` false, and `ne` true;
 * - `eq`/`ne`/`in` compare JSON type and value strictly (5 ≠ "5"; `eq: null`
 *   holds only for a present null);
 * - `gt`/`gte`/`lt`/`lte` compare numbers numerically and strings by code
 *   units (ISO timestamps written alike sort by time);
 * - `contains` finds text in a string or an equal element in an array;
 *   `startsWith` applies to strings;
 * - `exists: true` holds for any present non-null value, `exists: false` for
 *   a missing or null one;
 * - `within`/`olderThan`/`withinNext` read ISO 8601 timestamps (no offset
 *   means UTC) or epoch milliseconds, relative to `ctx.now`;
 * - `performed` counts `profile.events[<name>]` (see {@link performedMatches});
 * - `all`/`any`/`not` combine as usual.
 */
export function evaluateCondition(condition: Condition, ctx: ConditionContext): boolean {
  if ('all' in condition) return condition.all.every((inner) => evaluateCondition(inner, ctx));
  if ('any' in condition) return condition.any.some((inner) => evaluateCondition(inner, ctx));
  if ('not' in condition) return !evaluateCondition(condition.not, ctx);
  if ('performed' in condition) return performedMatches(condition, ctx.profile, ctx.now);
  const data = { profile: ctx.profile, event: ctx.event, trigger: ctx.trigger, context: ctx.context };
  return compare(condition, readPath(data, condition.path), ctx.now);
}
