/**
 * Reading dotted paths (`event.properties.items.0.sku`) out of untrusted JSON.
 */

/**
 * The one segment data cannot hold (ingest refuses it as a key). Every other
 * name, `constructor` and `prototype` included, is read as data: only own
 * properties are followed, so none reaches the JavaScript object model.
 */
const FORBIDDEN_SEGMENT = '__proto__';

/** An array index segment: `0`, `12` (no sign, no leading zeros). */
const INDEX_SEGMENT = /^(0|[1-9]\d*)$/;

/** True when `value` is a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value one segment below `value`: an own property of an object, or an
 * element of an array when the segment is an index. Strings, numbers and the
 * like have no children here (so `length` is not a path into a string).
 */
function child(value: unknown, segment: string): unknown {
  if (segment === FORBIDDEN_SEGMENT) return undefined;
  if (Array.isArray(value)) {
    return INDEX_SEGMENT.test(segment) ? value[Number(segment)] : undefined;
  }
  if (isRecord(value) && Object.hasOwn(value, segment)) return value[segment];
  return undefined;
}

/**
 * Reads a dotted path below `root`. Total: it never throws, and anything
 * missing along the way (an absent key, an index past the end, a scalar where
 * an object was expected) yields `undefined`.
 *
 * Only own properties are read, so `constructor`, `toString` and the like
 * are found only where the data holds them; `__proto__` always yields
 * `undefined`. Arrays are entered by index segments only (`items.0`).
 *
 * @param root - the value the first segment is read from
 * @param dottedPath - segments joined by `.`; the empty string reads `root` itself
 */
export function readPath(root: unknown, dottedPath: string): unknown {
  if (dottedPath === '') return root;
  let current = root;
  for (const segment of dottedPath.split('.')) {
    current = child(current, segment);
    if (current === undefined) return undefined;
  }
  return current;
}
