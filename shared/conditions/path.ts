import { canonicalKey } from '../names.ts';

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

/** A character a name written after a dot may hold: a letter or digit of any script, a combining mark, `_$@:-`. */
const NAME_CHAR = String.raw`[\p{L}\p{M}\p{N}_$@:-]`;

/** A name as a path writes it after a dot: `plan`, `prénom`, `名前`, `App Opened` (single inner spaces). */
const DOTTED_NAME = `${NAME_CHAR}+(?: ${NAME_CHAR}+)*`;

/** The same name, refused when it is {@link FORBIDDEN_SEGMENT}. */
const DOTTED_SEGMENT = `(?!${FORBIDDEN_SEGMENT}(?:[.[]|$))${DOTTED_NAME}`;

/**
 * A name in quotes, inside brackets: any characters but a backslash and the
 * quote itself, which are written `\\` and `\'` (or `\"`): every name
 * data can hold has a path.
 */
const quotedSegment = (quote: string) =>
  String.raw`\[${quote}(?!${FORBIDDEN_SEGMENT}${quote}\])(?:[^${quote}\\]|\\[\\'"])+${quote}\]`;

/**
 * The paths conditions, correlation keys and copied values use: a root, a
 * dotted name, then dotted names or names in brackets (single or double
 * quotes) — `profile.traits.prénom`, `profile.traits['utm.source']`,
 * `event.properties["price (EUR)"]`. Names are read in Unicode NFC, as
 * ingest keeps them. `__proto__` is refused: no data holds it (ingest
 * refuses it as a key); `constructor` and `prototype` are read as data.
 */
export const PATH_PATTERN = new RegExp(
  String.raw`^(?:profile|event|trigger|context)\.${DOTTED_SEGMENT}(?:\.${DOTTED_SEGMENT}|${quotedSegment("'")}|${quotedSegment('"')})*$`,
  'u',
);

/** Why a string is not a path, in the words validation prints. */
export const PATH_MESSAGE =
  "must be a dotted path starting with profile., event., trigger. or context. (e.g. profile.traits.plan, profile.traits.prénom; an event name may contain spaces: profile.events.Order Completed.count; any other name goes in brackets and quotes, a quote or backslash in it escaped with a backslash: profile.traits['utm.source'], event.properties['price (EUR)']; __proto__ is not a name data can hold)";

const WHOLE_DOTTED_NAME = new RegExp(`^${DOTTED_SEGMENT}$`, 'u');

/**
 * A path from its root and names, each name written as a path reads it:
 * after a dot when it can be, otherwise in brackets with its quotes and
 * backslashes escaped. `pathSegments` gives the names back.
 */
export function pathOf(root: string, names: readonly string[]): string {
  return names.reduce((path, name) => {
    if (WHOLE_DOTTED_NAME.test(name)) return `${path}.${name}`;
    return `${path}['${name.replace(/[\\']/g, (c) => `\\${c}`)}']`;
  }, root);
}

/** The name in quotes that starts at `open` (the bracket), unescaped, and where it ends; undefined when unclosed. */
function quotedName(path: string, open: number): { name: string; end: number } | undefined {
  const quote = path[open + 1];
  if (quote !== "'" && quote !== '"') return undefined;
  let name = '';
  for (let i = open + 2; i < path.length; i += 1) {
    const char = path[i];
    if (char === '\\') {
      i += 1;
      name += path[i] ?? '';
    } else if (char === quote && path[i + 1] === ']') return { name, end: i + 2 };
    else name += char;
  }
  return undefined;
}

/**
 * The names along a path, in Unicode NFC: `profile.traits['utm.source']` is
 * `profile`, `traits`, `utm.source`. A path with no brackets is its
 * dot-separated parts; an unclosed bracket is read as part of a name (such a
 * path finds nothing).
 */
export function pathSegments(path: string): string[] {
  if (!path.includes('[')) return path.split('.').map(canonicalKey);
  const segments: string[] = [];
  let current = '';
  let bracketed = false;
  let i = 0;
  while (i < path.length) {
    const quoted = path[i] === '[' ? quotedName(path, i) : undefined;
    if (quoted !== undefined) {
      if (!bracketed) segments.push(current);
      segments.push(quoted.name);
      current = '';
      bracketed = true;
      i = quoted.end;
      if (path[i] === '.') i += 1;
      continue;
    }
    if (path[i] === '.') {
      segments.push(current);
      current = '';
    } else current += path[i] ?? '';
    bracketed = false;
    i += 1;
  }
  if (!bracketed) segments.push(current);
  return segments.map(canonicalKey);
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
