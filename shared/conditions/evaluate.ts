import { isValidTimeZone } from '../time.ts';
import { compareOrder, containsValue, existsMatches, operationOf, scalarEquals } from './compare.ts';
import { performedMatches } from './history.ts';
import { isRecord, readPath } from './path.ts';
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
  /**
   * The journey's `settings.defaultTimezone`: a date without an offset is read
   * in the customer's zone, this one for a customer without a valid one of
   * their own (UTC when absent).
   */
  defaultTimezone?: string | undefined;
}

/** The zone a date without an offset is read in: the profile's own, else the journey's default, else UTC. */
function customerZone(ctx: ConditionContext): string {
  const own = isRecord(ctx.profile) ? ctx.profile.timezone : undefined;
  if (typeof own === 'string' && isValidTimeZone(own)) return own;
  return ctx.defaultTimezone !== undefined && isValidTimeZone(ctx.defaultTimezone)
    ? ctx.defaultTimezone
    : 'UTC';
}

/** The comparison's verdict on the value read at its path (`undefined` when the path is missing). */
function compare(comparison: Comparison, value: unknown, now: Date, zone: string): boolean {
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
      return compareOrder(operation.op, value, operation.operand, zone);
    case 'within':
    case 'olderThan':
    case 'withinNext':
      return compareRelative(operation.op, value, operation.operand, now, zone);
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
 *   units; against a date operand, instants;
 * - `contains` finds text in a string or an equal element in an array;
 *   `startsWith` applies to strings;
 * - `exists: true` holds for any present non-null value, `exists: false` for
 *   a missing or null one;
 * - a date in the data (for `within`/`olderThan`/`withinNext`, relative to
 *   `ctx.now`, and for an order comparison with a date) is read by the one
 *   rule for dates in customer data (`customerInstant`): an offset-less
 *   date-time or a day alone is the customer's local time (their profile's
 *   `timezone`, else `ctx.defaultTimezone`), a number is epoch milliseconds;
 * - `performed` counts `profile.events[<name>]` (see {@link performedMatches});
 * - `all`/`any`/`not` combine as usual.
 */
export function evaluateCondition(condition: Condition, ctx: ConditionContext): boolean {
  return evaluateIn(condition, ctx, customerZone(ctx));
}

function evaluateIn(condition: Condition, ctx: ConditionContext, zone: string): boolean {
  if ('all' in condition) return condition.all.every((inner) => evaluateIn(inner, ctx, zone));
  if ('any' in condition) return condition.any.some((inner) => evaluateIn(inner, ctx, zone));
  if ('not' in condition) return !evaluateIn(condition.not, ctx, zone);
  if ('performed' in condition) return performedMatches(condition, ctx.profile, ctx.now);
  const data = { profile: ctx.profile, event: ctx.event, trigger: ctx.trigger, context: ctx.context };
  return compare(condition, readPath(data, condition.path), ctx.now, zone);
}
