import { RESERVED_KEYS } from '../ingest/limits.ts';
import { type Violation, violation } from './violations.ts';

/**
 * Keys a journey file cannot use: `__proto__` anywhere (a webhook body field,
 * a trait an updateProfile step sets, an emitted property). JSON holds it,
 * but every JavaScript parser turns it into a prototype and drops it, so the
 * step would silently lose the field; it is reported with its path instead.
 * Iterative, so no nesting exhausts the stack.
 */
export function reservedKeyViolations(input: unknown): Violation[] {
  const out: Violation[] = [];
  const stack: { value: unknown; path: readonly PropertyKey[] }[] = [{ value: input, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path } = next;
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      if (!Array.isArray(value) && RESERVED_KEYS.has(key)) {
        out.push(
          violation(
            at,
            'schema.invalid',
            `"${key}" cannot be a key: JavaScript reserves it, and it would be dropped.`,
          ),
        );
      }
      stack.push({ value: child, path: at });
    }
  }
  return out;
}
