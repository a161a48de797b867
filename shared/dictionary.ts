/**
 * Records keyed by names users control (event names, trait keys, topics,
 * property keys). A plain object literal inherits from `Object.prototype`,
 * so a key such as `__proto__` would read or write the shared prototype; a
 * dictionary has no prototype, and every key is an ordinary own property.
 */

/** An empty record with no prototype. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null);
}

/** A record with no prototype holding the given entries (later entries win). */
export function dictionaryOf<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = dictionary<T>();
  for (const [key, value] of entries) {
    // An own data property even for `__proto__`, whatever the runtime does on assignment.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A map of data: an object made by `{}`, `JSON.parse` or `Object.create(null)` (not a class instance). */
export function isDataMap(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}
