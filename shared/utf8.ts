/**
 * The length of a string in UTF-8 bytes, as `new TextEncoder().encode(text).length`
 * gives it, without encoding: the edge checks every event's size, and
 * encoding builds a copy of the text only to count it. A lone surrogate
 * counts as the replacement character it is encoded as (3 bytes).
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A surrogate pair: two units, four bytes.
      bytes += 2;
      i += 1;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * The length of a string in code points, as zod's length checks count it (a
 * surrogate pair is one): a check of bytes that leaves an overlong string to
 * a length check must ask this, not `text.length`, or a string of emoji
 * longer in UTF-16 units than the limit but not in code points passes both.
 */
export function codePointLength(text: string): number {
  let points = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      points -= 1;
      i += 1;
    }
  }
  return points;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Half of a UTF-16 surrogate pair, without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * True when the text holds half of a surrogate pair (JSON's `"\ud800"` alone):
 * no character, so UTF-8 cannot hold it, and DynamoDB (through the SDK's
 * encoder) stores U+FFFD in its place: two such names become one, and a
 * name read back is not the name written.
 */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** What a name or text holding half a surrogate pair is told. */
export const LONE_SURROGATE_PROBLEM =
  'holds half of a surrogate pair (an escape such as \\ud800 without its other half), which is no character';
