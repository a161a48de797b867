/** A value filter: an exact value, or one of the content filters this system uses. */
type PatternFilter =
  | string
  | number
  | boolean
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly wildcard: string };

/** An event pattern: each leaf lists accepted values; nested objects match nested fields. */
export type EventPattern = { readonly [field: string]: readonly PatternFilter[] | EventPattern };

/**
 * Whether an EventBridge event matches a pattern, for the subset of the
 * pattern language the routes use: exact values, `prefix`, `suffix`,
 * `wildcard` (`*` only) and nested fields. As in EventBridge, every field of
 * the pattern must be present, a leaf matches when any filter accepts the
 * value, and an array value matches when any of its elements does.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isRecord(event)) return false;
  return Object.entries(pattern).every(([field, expected]) => {
    if (!Object.hasOwn(event, field)) return false;
    const value = event[field];
    if (isFilterList(expected)) return matchesLeaf(expected, value);
    return matchesPattern(expected, value);
  });
}

function isFilterList(value: readonly PatternFilter[] | EventPattern): value is readonly PatternFilter[] {
  return Array.isArray(value);
}

function matchesLeaf(filters: readonly PatternFilter[], value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => filters.some((filter) => matchesFilter(filter, v)));
}

function matchesFilter(filter: PatternFilter, value: unknown): boolean {
  if (typeof filter !== 'object') return filter === value;
  if (typeof value !== 'string') return false;
  if ('prefix' in filter) return value.startsWith(filter.prefix);
  if ('suffix' in filter) return value.endsWith(filter.suffix);
  return wildcardRegExp(filter.wildcard).test(value);
}

function wildcardRegExp(wildcard: string): RegExp {
  const escaped = wildcard.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
