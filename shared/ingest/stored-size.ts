import { utf8Length } from '../utf8.ts';

/**
 * The size DynamoDB counts for an item and its values, by its documented
 * rules: names and strings in UTF-8 bytes, a number one byte per two
 * significant digits plus one, a list or map 3 bytes plus 1 per element (and
 * a map's keys). A value's JSON is not its stored size: `[[],[]]` takes 7
 * bytes as JSON and 11 stored, so limits that guard the 400 KB item use both.
 */

/** A number's size: one byte per two significant digits (leading and trailing zeros trimmed), plus one. */
function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** The size DynamoDB stores a value in. */
export function storedValueSize(value: unknown): number {
  if (typeof value === 'string') return utf8Length(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(String(value));
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce<number>((a, v) => a + 1 + storedValueSize(v), 0);
  if (value instanceof Set) return [...value].reduce<number>((a, v) => a + storedValueSize(v), 0);
  if (typeof value === 'object') {
    return (
      3 + Object.entries(value).reduce<number>((a, [k, v]) => a + 1 + utf8Length(k) + storedValueSize(v), 0)
    );
  }
  return 0;
}

/** The size DynamoDB counts for an item: its attribute names and values. */
export function storedItemSize(item: Readonly<Record<string, unknown>>): number {
  return Object.entries(item).reduce((a, [k, v]) => a + utf8Length(k) + storedValueSize(v), 0);
}
