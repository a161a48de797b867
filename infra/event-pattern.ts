/** A value filter: an exact value, or one of the content filters this system uses. */
type PatternFilter =
  | string
  | number
  | boolean
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly wildcard: string }
  | { readonly exists: boolean };

/**
 * An event pattern: each leaf lists accepted values; nested objects match
 * nested fields; `$or` lists patterns of which one must match.
 */
export type EventPattern = {
  readonly [field: string]: readonly PatternFilter[] | EventPattern | readonly EventPattern[];
};

/**
 * Whether an EventBridge event matches a pattern, for the subset of the
 * pattern language the routes use: exact values, `prefix`, `suffix`,
 * `wildcard` (`*` only), `exists`, `$or` and nested fields. As in
 * EventBridge, every field of the pattern must be present (but a field that
 * only `exists: false` accepts), a leaf matches when any filter accepts the
 * value, and an array value matches when any of its elements does.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const fields = isRecord(event) ? event : undefined;
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === OR) return isPatternList(expected) && expected.some((p) => matchesPattern(p, event));
    if (fields === undefined || !Object.hasOwn(fields, field)) return matchesAbsent(expected);
    const value = fields[field];
    if (isPatternList(expected)) return false;
    if (isFilterList(expected)) return matchesLeaf(expected, value);
    return isRecord(value) ? matchesPattern(expected, value) : matchesAbsent(expected);
  });
}

const OR = '$or';

/** A field the event does not have matches only a pattern that asks for it to be absent. */
function matchesAbsent(expected: EventPattern[string]): boolean {
  if (isPatternList(expected)) return expected.some((p) => matchesAbsent(p));
  if (isFilterList(expected))
    return expected.some((f) => typeof f === 'object' && 'exists' in f && !f.exists);
  return Object.values(expected).every(matchesAbsent);
}

function isFilterList(value: EventPattern[string]): value is readonly PatternFilter[] {
  return Array.isArray(value) && !value.some(isPatternObject);
}

function isPatternList(value: EventPattern[string]): value is readonly EventPattern[] {
  return Array.isArray(value) && value.length > 0 && value.every(isPatternObject);
}

/** A pattern inside `$or`, told apart from a content filter by its field names. */
function isPatternObject(value: unknown): value is EventPattern {
  return isRecord(value) && !FILTER_KEYS.some((key) => Object.hasOwn(value, key));
}

const FILTER_KEYS = ['prefix', 'suffix', 'wildcard', 'exists'] as const;

function matchesLeaf(filters: readonly PatternFilter[], value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => filters.some((filter) => matchesFilter(filter, v)));
}

function matchesFilter(filter: PatternFilter, value: unknown): boolean {
  if (typeof filter !== 'object') return filter === value;
  if ('exists' in filter) return filter.exists;
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
