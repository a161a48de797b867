/** A JSON document read from bytes: its value, or a problem that says what and where. */
export type JsonText = { ok: true; value: unknown } | { ok: false; message: string };

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses the bytes of a JSON file as people save them. The text must be
 * UTF-8 (as JSON requires): other bytes are reported with their offset
 * rather than read as U+FFFD, which would change a name or a message without
 * a word. A UTF-8 byte order mark, which some Windows editors write, is
 * skipped. A syntax error names its line and column.
 */
export function parseJsonBytes(bytes: Uint8Array): JsonText {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
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
  if (twice === undefined) return { ok: true, value };
  const where = (at: Position) => `line ${at.line}, column ${at.column}`;
  return {
    ok: false,
    message: `${twice.path}: the key ${JSON.stringify(twice.key)} is written twice (${where(twice.first)} and ${where(twice.second)}); JSON keeps only the last, so the first would be lost without a word`,
  };
}

type Position = { line: number; column: number };

type Frame =
  | { kind: 'object'; keys: Map<string, Position>; key?: string; expectKey: boolean }
  | { kind: 'array'; index: number };

/** Where an object sits, as `steps.a.variants[1]` (`(document)` for the top). */
function pathOf(frames: readonly Frame[]): string {
  let out = '';
  for (const frame of frames) {
    if (frame.kind === 'array') out += `[${frame.index}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(frame.key ?? '')) out += out === '' ? frame.key : `.${frame.key}`;
    else out += `[${JSON.stringify(frame.key)}]`;
  }
  return out === '' ? '(document)' : out;
}

/**
 * The first key written twice in one object of a valid JSON text, with both
 * places. JSON.parse keeps the last silently: a step copied and not renamed
 * would replace the first without a word. One pass over the text; keys are
 * compared as parsed, so `"a"` and `"\u0061"` are the same key.
 */
function firstDuplicateKey(
  text: string,
): { path: string; key: string; first: Position; second: Position } | undefined {
  const frames: Frame[] = [];
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = frames.at(-1);
    if (c === '\n') {
      line += 1;
      lineStart = i + 1;
    } else if (c === '"') {
      // A valid text: the string ends at the next quote that is not escaped, on the same line.
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.kind === 'object' && top.expectKey) {
        const key = String(JSON.parse(text.slice(i, end + 1)));
        const at = { line, column: i - lineStart + 1 };
        const first = top.keys.get(key);
        if (first !== undefined) return { path: pathOf(frames.slice(0, -1)), key, first, second: at };
        top.keys.set(key, at);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === '{') frames.push({ kind: 'object', keys: new Map(), expectKey: true });
    else if (c === '[') frames.push({ kind: 'array', index: 0 });
    else if (c === '}' || c === ']') frames.pop();
    else if (c === ',' && top?.kind === 'object') top.expectKey = true;
    else if (c === ',' && top?.kind === 'array') top.index += 1;
  }
  return undefined;
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

function locateJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message)?.[1];
  // "Unexpected end of JSON input" has no position: the problem is at the end.
  const offset = position === undefined ? text.trimEnd().length : Number(position);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '')} at line ${line}, column ${column}`;
}
