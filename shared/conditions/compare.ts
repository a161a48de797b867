import { customerInstant } from '../time.ts';
import type { Comparison, Scalar } from './schema.ts';

/**
 * Comparison operators over data values, with strict types: a value of the
 * wrong type never matches (the number 5 does not equal the string "5").
 */

/** A comparison split into its operator and operand, typed by operator. */
export type Operation =
  | { op: 'eq' | 'ne' | 'contains'; operand: Scalar }
  | { op: 'gt' | 'gte' | 'lt' | 'lte'; operand: number | string }
  | { op: 'in'; operand: Scalar[] }
  | { op: 'startsWith'; operand: string }
  | { op: 'exists'; operand: boolean }
  | { op: 'within' | 'olderThan' | 'withinNext'; operand: string };

/** The operator of a comparison and its operand; `undefined` for an object with no known operator. */
export function operationOf(comparison: Comparison): Operation | undefined {
  const c = comparison;
  if ('eq' in c) return { op: 'eq', operand: c.eq };
  if ('ne' in c) return { op: 'ne', operand: c.ne };
  if ('contains' in c) return { op: 'contains', operand: c.contains };
  if ('gt' in c) return { op: 'gt', operand: c.gt };
  if ('gte' in c) return { op: 'gte', operand: c.gte };
  if ('lt' in c) return { op: 'lt', operand: c.lt };
  if ('lte' in c) return { op: 'lte', operand: c.lte };
  if ('in' in c) return { op: 'in', operand: c.in };
  if ('startsWith' in c) return { op: 'startsWith', operand: c.startsWith };
  if ('exists' in c) return { op: 'exists', operand: c.exists };
  if ('within' in c) return { op: 'within', operand: c.within };
  if ('olderThan' in c) return { op: 'olderThan', operand: c.olderThan };
  if ('withinNext' in c) return { op: 'withinNext', operand: c.withinNext };
  return undefined;
}

/** Equality of a data value with a scalar operand: same JSON type and same value (null equals only null). */
export function scalarEquals(value: unknown, operand: Scalar): boolean {
  return value === operand;
}

/** An ISO 8601 date or timestamp as journeys write one: 2026-12-01, 2026-12-01T09:00:00Z, …+02:00. */
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The instant of an operand written as an ISO date or timestamp ({@link ISO_DATE}),
 * one without an offset read in `zone` as a date in customer data is
 * ({@link customerInstant}); undefined for other text.
 */
export function dateOperand(operand: string, zone = 'UTC'): number | undefined {
  return ISO_DATE.test(operand) ? customerInstant(operand.replace(' ', 'T'), zone)?.getTime() : undefined;
}

/**
 * Order comparison: numbers numerically; against a date operand, the instants,
 * both read by the one rule for dates in customer data ({@link customerInstant}
 * in the customer's `zone`: no offset is their local time, a number is epoch
 * milliseconds, a value with another offset or milliseconds is the same
 * instant written otherwise; a value that is not a date: false); other strings
 * by UTF-16 code units (the order Step Functions' String* comparisons use).
 * Mixed or other types: false.
 */
export function compareOrder(
  op: 'gt' | 'gte' | 'lt' | 'lte',
  value: unknown,
  operand: number | string,
  zone = 'UTC',
): boolean {
  const date = typeof operand === 'string' ? dateOperand(operand, zone) : undefined;
  if (date !== undefined) {
    const instant =
      typeof value === 'string' || typeof value === 'number' ? customerInstant(value, zone) : undefined;
    return instant !== undefined && ordered(op, instant.getTime(), date);
  }
  if (typeof value !== typeof operand) return false;
  if (typeof value !== 'number' && typeof value !== 'string') return false;
  return ordered(op, value, operand);
}

function ordered<T extends number | string>(op: 'gt' | 'gte' | 'lt' | 'lte', value: T, operand: T): boolean {
  switch (op) {
    case 'gt':
      return value > operand;
    case 'gte':
      return value >= operand;
    case 'lt':
      return value < operand;
    case 'lte':
      return value <= operand;
  }
}

/** A string containing the text, or an array holding an element equal to the operand. */
export function containsValue(value: unknown, operand: Scalar): boolean {
  if (typeof value === 'string') return typeof operand === 'string' && value.includes(operand);
  if (Array.isArray(value)) return value.some((element) => scalarEquals(element, operand));
  return false;
}

/** `exists: true` holds for any value but missing and null; `exists: false` is its negation. */
export function existsMatches(value: unknown, expected: boolean): boolean {
  const present = value !== undefined && value !== null;
  return present === expected;
}
