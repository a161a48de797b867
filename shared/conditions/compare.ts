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

/**
 * Order comparison: numbers numerically, strings by UTF-16 code units (the
 * order Step Functions' String* comparisons use, and ISO timestamps in one
 * format sort by time). Mixed or other types: false.
 */
export function compareOrder(
  op: 'gt' | 'gte' | 'lt' | 'lte',
  value: unknown,
  operand: number | string,
): boolean {
  if (typeof value !== typeof operand) return false;
  if (typeof value !== 'number' && typeof value !== 'string') return false;
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
