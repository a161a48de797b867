/**
 * The limits a customer event must respect at the edge, each with the reason
 * a rejected event carries. They keep one customer's events from freezing
 * their profile (DynamoDB's 400 KB item, 32 nesting levels, 4 KB update
 * expression) or crashing the handler (deep recursion).
 */

/** EventBridge refuses entries over 256 KB; the local bus and ingest hold events to the same. */
const MAX_EVENT_BYTES = 256 * 1024;
/** Objects and arrays nested inside an event (DynamoDB stores at most 32 levels; snapshots add 2). */
export const MAX_NESTING_DEPTH = 16;
/** The longest key of a property, trait or context field. */
export const MAX_KEY_LENGTH = 255;
/** Traits one event may set; the rest are rejected with a reason. */
const MAX_TRAITS_PER_EVENT = 100;
/** Traits the profile acts on (addresses, zone, consent): kept ahead of the others when an event sets too many. */
const INSTRUCTION_TRAITS: ReadonlySet<string> = new Set([
  'email',
  'phone',
  'timezone',
  'locale',
  'consent',
  'unsubscribed',
]);
/** Topic consent values one event may set (each is a write of its own attribute); the rest are reported. */
export const MAX_TOPICS_PER_EVENT = 50;
/** Distinct traits one profile keeps; a new trait past it is rejected with the reason (existing ones still update). */
export const MAX_TRAITS_PER_PROFILE = 100;
/** The largest trait value (its JSON, UTF-8 bytes). */
export const MAX_TRAIT_VALUE_BYTES = 1024;
/**
 * The key JavaScript itself will not hold as data: assigning `__proto__`
 * replaces an object's prototype, so parsers, the DynamoDB marshaller and
 * the local stand-ins drop it, and the value could not be read back. It is
 * rejected wherever it appears as a key, with the field named. Every other
 * name (`constructor`, `prototype`, `toString`...) is ordinary data, and so
 * is `__proto__` as a value (an event name, a topic, a trait value).
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__']);

export type LimitProblem = { field: string; message: string };

/** True for a number DynamoDB can store: zero, or a magnitude from 1e-130 to below 1e126. */
function storableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return magnitude === 0 || (magnitude >= 1e-130 && magnitude < 1e126);
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Problems that reject a whole event: too large, nested too deep, a key too
 * long or reserved. Iterative, so no input depth can exhaust the stack.
 */
export function structuralProblems(input: unknown): LimitProblem[] {
  const problems: LimitProblem[] = [];
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch {
    return [{ field: '(event)', message: 'must be JSON (no cycles, no BigInt)' }];
  }
  const bytes = json === undefined ? 0 : byteLength(json);
  if (bytes > MAX_EVENT_BYTES) {
    problems.push({
      field: '(event)',
      message: `is ${bytes} bytes; events are limited to ${MAX_EVENT_BYTES} bytes`,
    });
    return problems;
  }
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: '', depth: 0 }];
  while (stack.length > 0 && problems.length < 20) {
    const next = stack.pop();
    if (next === undefined || typeof next.value !== 'object' || next.value === null) continue;
    const { value, path, depth } = next;
    if (depth > MAX_NESTING_DEPTH) {
      problems.push({ field: path, message: `nests deeper than ${MAX_NESTING_DEPTH} levels` });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const field = path === '' ? key : `${path}.${key}`;
      if (!Array.isArray(value)) {
        if (RESERVED_KEYS.has(key))
          problems.push({ field, message: `"${key}" cannot be used as a key (JavaScript reserves it)` });
        // DynamoDB refuses an empty name at any depth of a stored value: the write would fail on every retry.
        else if (key === '') problems.push({ field: `${path}(key)`, message: 'has an empty key' });
        else if (key.length > MAX_KEY_LENGTH) {
          problems.push({
            field: `${path}(key)`,
            message: `has a key longer than ${MAX_KEY_LENGTH} characters`,
          });
        }
      }
      if (typeof child === 'number' && !storableNumber(child))
        problems.push({
          field,
          message: `${child} is outside the numbers DynamoDB stores (1e-130 to 9.99e125)`,
        });
      stack.push({ value: child, path: field, depth: depth + 1 });
    }
  }
  return problems;
}

/**
 * Splits an event's traits into those the profile keeps and those it does
 * not, each with the reason: at most MAX_TRAITS_PER_EVENT traits, each value
 * at most MAX_TRAIT_VALUE_BYTES.
 */
export function splitTraits(traits: Readonly<Record<string, unknown>>): {
  kept: [string, unknown][];
  dropped: { trait: string; reason: string }[];
} {
  const kept: [string, unknown][] = [];
  const dropped: { trait: string; reason: string }[] = [];
  // The reserved traits first: an address or an opt-out is never the one left out for the count.
  const entries = Object.entries(traits);
  const ordered = [
    ...entries.filter(([trait]) => INSTRUCTION_TRAITS.has(trait)),
    ...entries.filter(([trait]) => !INSTRUCTION_TRAITS.has(trait)),
  ];
  for (const [trait, value] of ordered) {
    const size = byteLength(JSON.stringify(value) ?? '');
    if (size > MAX_TRAIT_VALUE_BYTES) {
      dropped.push({
        trait,
        reason: `value is ${size} bytes; a trait value is limited to ${MAX_TRAIT_VALUE_BYTES} bytes`,
      });
    } else if (kept.length >= MAX_TRAITS_PER_EVENT) {
      dropped.push({ trait, reason: `an event sets at most ${MAX_TRAITS_PER_EVENT} traits` });
    } else kept.push([trait, value]);
  }
  return { kept, dropped };
}
