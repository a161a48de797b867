/** A JSON document read from bytes: its value, or a problem that says what and where. */
export type JsonText = { ok: true; value: unknown; text: string } | { ok: false; message: string };

/**
 * The largest JSON file read (journeys and templates, from disk or from the
 * bucket): ten times a journey at its step bound. A larger one is refused
 * before it is read into memory.
 */
export const MAX_JSON_FILE_BYTES = 4 * 1024 * 1024;

/** Why a file of `bytes` is not read, or undefined when it may be. */
export function tooLargeProblem(bytes: number): string | undefined {
  if (bytes <= MAX_JSON_FILE_BYTES) return undefined;
  return `is ${megabytes(bytes)} MB; a file read here can be at most ${megabytes(MAX_JSON_FILE_BYTES)} MB`;
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses the bytes of a JSON file as people save them. The text must be
 * UTF-8 (as JSON requires): other bytes are reported with their offset
 * rather than read as U+FFFD, which would change a name or a message without
 * a word. A UTF-8 byte order mark, which some Windows editors write, is
 * skipped. A syntax error names its line and column.
 */
export function parseJsonBytes(bytes: Uint8Array, options: { utf16?: boolean } = {}): JsonText {
  let text: string;
  const utf16 = options.utf16 === true ? utf16Encoding(bytes) : undefined;
  try {
    text = utf16 === undefined ? UTF8.decode(bytes) : new TextDecoder(utf16, { fatal: true }).decode(bytes);
  } catch {
    if (utf16 !== undefined)
      return { ok: false, message: `not ${utf16.toUpperCase()} text: save it as UTF-8` };
    return { ok: false, message: `not UTF-8 text (${invalidUtf8At(bytes)}): save it as UTF-8` };
  }
  if (text.trim() === '') return { ok: false, message: 'empty: a JSON document was expected' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${locateJsonError(text, error)}` };
  }
  const twice = firstDuplicateKey(text);
  if (twice === undefined) return { ok: true, value, text };
  const where = (at: Position) => `line ${at.line}, column ${at.column}`;
  return {
    ok: false,
    message: `written with the key ${JSON.stringify(twice.key)} twice in ${twice.path} (${where(twice.first)} and ${where(twice.second)}); JSON keeps only the last, so the first would be lost without a word`,
  };
}

/**
 * The UTF-16 encoding its byte order mark names (Windows PowerShell 5 writes
 * `aws … > file.json` so), or undefined for any other text.
 */
function utf16Encoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** A place in a text: 1-based line, and column in UTF-16 units from 1. */
export type Position = { line: number; column: number };

type Frame =
  | { kind: 'object'; key?: string; expectKey: boolean }
  | { kind: 'array'; index: number; expectValue: boolean };

/** Where an object sits, as `steps.a.variants[1]` (`the top-level object` for the top). */
function pathOf(frames: readonly Frame[]): string {
  let out = '';
  for (const frame of frames) {
    if (frame.kind === 'array') out += `[${frame.index}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(frame.key ?? '')) out += out === '' ? frame.key : `.${frame.key}`;
    else out += `[${JSON.stringify(frame.key)}]`;
  }
  return out === '' ? 'the top-level object' : out;
}

/** A member of an object (at its key) or an element of a list (where it starts), in a valid JSON text. */
type Member = { parent: readonly Frame[]; key: string | number; at: Position };

/**
 * Every member and element of a valid JSON text, in order, with where it is
 * written. One pass; keys are as parsed, so `"a"` and `"\u0061"` are the same key.
 */
function* members(text: string): Generator<Member> {
  const frames: Frame[] = [];
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = frames.at(-1);
    if (c === '\n') {
      line += 1;
      lineStart = i + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    const at = { line, column: i - lineStart + 1 };
    if (top?.kind === 'array' && top.expectValue && c !== ']') {
      top.expectValue = false;
      yield { parent: frames.slice(0, -1), key: top.index, at };
    }
    if (c === '"') {
      // A valid text: the string ends at the next quote that is not escaped, on the same line.
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.kind === 'object' && top.expectKey) {
        const key = String(JSON.parse(text.slice(i, end + 1)));
        yield { parent: frames.slice(0, -1), key, at };
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === '{') frames.push({ kind: 'object', expectKey: true });
    else if (c === '[') frames.push({ kind: 'array', index: 0, expectValue: true });
    else if (c === '}' || c === ']') frames.pop();
    else if (c === ',' && top?.kind === 'object') top.expectKey = true;
    else if (c === ',' && top?.kind === 'array') {
      top.index += 1;
      top.expectValue = true;
    }
  }
}

/** The path of a member, formatted as violations name it: `steps.ab.variants[2]`. */
function memberPath(member: Member): string {
  const frames: Frame[] = [
    ...member.parent,
    typeof member.key === 'number'
      ? { kind: 'array', index: member.key, expectValue: false }
      : { kind: 'object', key: member.key, expectKey: false },
  ];
  return pathOf(frames);
}

/**
 * The first key written twice in one object of a valid JSON text, with both
 * places. JSON.parse keeps the last silently: a step copied and not renamed
 * would replace the first without a word.
 */
function firstDuplicateKey(
  text: string,
): { path: string; key: string; first: Position; second: Position } | undefined {
  // Per object, by its path (unique: a list's objects differ by index), the keys seen.
  const objects = new Map<string, Map<string, Position>>();
  for (const member of members(text)) {
    if (typeof member.key === 'number') continue;
    const parent = pathOf(member.parent);
    const keys = objects.get(parent) ?? new Map<string, Position>();
    objects.set(parent, keys);
    const first = keys.get(member.key);
    if (first !== undefined) return { path: parent, key: member.key, first, second: member.at };
    keys.set(member.key, member.at);
  }
  return undefined;
}

/**
 * Where each member of a valid JSON text is written, by its path as
 * violations name it (`steps.wait.for`, `steps["ünïcode"]`,
 * `steps.ab.variants[0].weight`): the key of an object member, the start of
 * a list element. A UTF-8 byte order mark is not counted.
 */
export function jsonPositions(text: string): Map<string, Position> {
  const positions = new Map<string, Position>();
  for (const member of members(text.replace(/^\uFEFF/, ''))) positions.set(memberPath(member), member.at);
  return positions;
}

const LAST_SEGMENT = /(?:\.[A-Za-z0-9_$-]+|\[(?:\d+|"(?:[^"\\]|\\.)*")\])$/;

/**
 * Where a path is written, or its nearest written parent (a missing field is
 * reported at the object that lacks it); undefined for the document itself.
 */
export function positionOf(positions: ReadonlyMap<string, Position>, path: string): Position | undefined {
  let at = path;
  while (at !== '') {
    const found = positions.get(at);
    if (found !== undefined) return found;
    const shorter = at.replace(LAST_SEGMENT, '');
    if (shorter === at) return undefined;
    at = shorter;
  }
  return undefined;
}

/**
 * Places problems found in a JSON text where their paths are written: each
 * gets the `line` and `column` of its field (or of the nearest one written),
 * as `journeys validate` and the local runtime's deploy report print them.
 */
export function jsonLocator(text: string): <P extends { path: string }>(problem: P) => P & Partial<Position> {
  const positions = jsonPositions(text);
  return (problem) => ({ ...problem, ...positionOf(positions, problem.path) });
}

/** Where the first byte that is not UTF-8 is: `near byte 14, line 1`. */
function invalidUtf8At(bytes: Uint8Array): string {
  // The longest prefix that decodes as a stream (a sequence cut at the end is
  // not yet an error), by binary search: the bad byte is at or just before it.
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  // A sequence cut short is found at the byte after it: report where it started.
  let at = low;
  for (let back = low - 1; back >= Math.max(0, low - 3); back--) {
    const byte = bytes[back] ?? 0;
    if (byte >= 0xc0 && sequenceLength(byte) > low - back) at = back;
    if (byte < 0x80 || byte >= 0xc0) break;
  }
  const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
  return `near byte ${at + 1}, line ${line}`;
}

/** How many bytes the UTF-8 sequence a lead byte starts has. */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  return 2;
}

/**
 * The parser's message and where the mistake is. V8 gives no position for an
 * unexpected token (`"for": PT1H`, a value in single quotes, `True`): it
 * quotes up to ten characters either side instead (`Unexpected token 'P',
 * ..."for": PT1H,"... is not valid JSON`), which would print part of a secret
 * written in the file (a connection's credential) to a terminal or a CI log.
 * That quote is left out, and the token found: it ends the shortest start of
 * the text that already fails before its end.
 */
function locateJsonError(text: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(/, (?:\.\.\.)?"[\s\S]* is not valid JSON$/, '');
  const offset = errorOffset(text, raw);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '')} at line ${line}, column ${column}`;
}

/** Where a JSON text's first mistake is, as an offset, from the parser's message about it. */
function errorOffset(text: string, message: string): number {
  const position = /position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return Number(position);
  // "Unexpected end of JSON input": the problem is at the end.
  if (!message.startsWith('Unexpected token')) return text.trimEnd().length;
  // A start of the text that parses, or fails only at its end, can still become JSON; one that
  // fails before its end holds the mistake. Binary search: `low` can become JSON, `high` cannot.
  let low = 0;
  let high = text.length;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (couldBecomeJson(text.slice(0, mid))) low = mid;
    else high = mid;
  }
  return high - 1;
}

function couldBecomeJson(start: string): boolean {
  try {
    JSON.parse(start);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('Unexpected end')) return true;
    const position = /position (\d+)/.exec(message)?.[1];
    return position !== undefined && Number(position) >= start.length;
  }
}
