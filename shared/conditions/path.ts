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

/** A name as a path writes it after a dot: letters, digits, `_$@:-`, single inner spaces (`App Opened`). */
const DOTTED_NAME = '[A-Za-z0-9_$@:-]+(?: [A-Za-z0-9_$@:-]+)*';

/** A name in brackets may also hold dots: `['utm.source']`, `["order.completed"]`. */
const BRACKETED_NAME = '[A-Za-z0-9_$@:.-]+(?: [A-Za-z0-9_$@:.-]+)*';

/**
 * The paths conditions, correlation keys and copied values use: a root, a
 * dotted name, then dotted names or names in brackets (single or double
 * quotes) for names that contain a dot — `profile.traits['utm.source']`,
 * `profile.events["order.completed"].count`.
 */
export const PATH_PATTERN = new RegExp(
  String.raw`^(?:profile|event|trigger|context)\.${DOTTED_NAME}(?:\.${DOTTED_NAME}|\['${BRACKETED_NAME}'\]|\["${BRACKETED_NAME}"\])*$`,
);

/** Why a string is not a path, in the words validation prints. */
export const PATH_MESSAGE =
  "must be a dotted path starting with profile., event., trigger. or context. (e.g. profile.traits.plan; an event name may contain spaces: profile.events.Order Completed.count; a name that contains a dot goes in brackets: profile.traits['utm.source'])";

/**
 * The names along a path: `profile.traits['utm.source']` is `profile`,
 * `traits`, `utm.source`. A path with no brackets is its dot-separated parts;
 * an unclosed bracket is read as part of a name (such a path finds nothing).
 */
export function pathSegments(path: string): string[] {
  if (!path.includes('[')) return path.split('.');
  const segments: string[] = [];
  let current = '';
  let bracketed = false;
  let i = 0;
  while (i < path.length) {
    const char = path[i];
    const quote = path[i + 1];
    const close = char === '[' && (quote === "'" || quote === '"') ? path.indexOf(`${quote}]`, i + 2) : -1;
    if (close !== -1) {
      if (!bracketed) segments.push(current);
      segments.push(path.slice(i + 2, close));
      current = '';
      bracketed = true;
      i = close + 2;
      if (path[i] === '.') i += 1;
      continue;
    }
    if (char === '.') {
      segments.push(current);
      current = '';
    } else current += char ?? '';
    bracketed = false;
    i += 1;
  }
  if (!bracketed) segments.push(current);
  return segments;
}

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
 * @param dottedPath - segments joined by `.`, a name holding a dot in brackets
 *   (`traits['utm.source']`, see {@link pathSegments}); the empty string reads `root` itself
 */
export function readPath(root: unknown, dottedPath: string): unknown {
  if (dottedPath === '') return root;
  let current = root;
  for (const segment of pathSegments(dottedPath)) {
    current = child(current, segment);
    if (current === undefined) return undefined;
  }
  return current;
}
