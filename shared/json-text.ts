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
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${locateJsonError(text, error)}` };
  }
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
