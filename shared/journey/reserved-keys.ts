import { RESERVED_KEYS } from '../ingest/limits.ts';
import { hasLoneSurrogate, LONE_SURROGATE_PROBLEM } from '../utf8.ts';
import { type Violation, violation } from './violations.ts';

/**
 * Keys a journey file cannot use: `__proto__` anywhere (a webhook body field,
 * a trait an updateProfile step sets, an emitted property). JSON holds it,
 * but every JavaScript parser turns it into a prototype and drops it, so the
 * step would silently lose the field; it is reported with its path instead.
 * So is a key or text holding half of a surrogate pair (`"\ud800"`, which
 * JSON can escape but UTF-8 cannot encode): a variant so named could not be
 * counted (its stats key cannot be written), and DynamoDB would store any
 * such name as another one (U+FFFD in its place). Iterative, so no nesting
 * exhausts the stack.
 */
const HALF_A_PAIR = `${LONE_SURROGATE_PROBLEM}: write the character itself.`;

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
      if (hasLoneSurrogate(key) || (typeof child === 'string' && hasLoneSurrogate(child)))
        out.push(violation(at, 'schema.invalid', HALF_A_PAIR));
      stack.push({ value: child, path: at });
    }
  }
  return out;
}
