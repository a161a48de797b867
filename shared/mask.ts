/**
 * Masking of personal data in log lines: email addresses and phone numbers
 * never reach the logs in clear. Enough is kept to tell records apart while
 * debugging (first character of the mailbox, the domain, the last two digits).
 */

/**
 * A character of a mailbox (the part before @), and a domain after the @
 * (read from there), in any script: an address such as `josé.garcía@correo.es`
 * or `用户@例子.中国` is masked as an ASCII one is, not left in clear from its
 * first letter outside ASCII on.
 */
const MAILBOX_CHARACTER = /^[\p{L}\p{M}\p{N}._%+-]$/u;
const DOMAIN = /[\p{L}\p{M}\p{N}.-]+\.[\p{L}\p{M}]{2,}/uy;

/** The character (code point) that ends at `end`, a surrogate pair whole. */
function characterBefore(text: string, end: number): string {
  const low = text.charCodeAt(end - 1);
  const high = text.charCodeAt(end - 2);
  const pair = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
  return text.slice(pair ? end - 2 : end - 1, end);
}

/**
 * Email addresses masked as `a***@example.com`: the mailbox characters before
 * an @ (from the end of the address before), and the domain after it. Found
 * from each @, so each character is read once; an expression that tried a
 * mailbox from every character read a long run with no @ again from each one
 * (minutes for an event property of 250,000 characters).
 */
function maskEmails(text: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    for (let c = characterBefore(text, start); start > from && MAILBOX_CHARACTER.test(c); ) {
      start -= c.length;
      c = characterBefore(text, start);
    }
    DOMAIN.lastIndex = at + 1;
    const domain = start < at ? DOMAIN.exec(text)?.[0] : undefined;
    if (domain === undefined) continue;
    const first = String.fromCodePoint(text.codePointAt(start) ?? 0);
    out += `${text.slice(from, start)}${first}***@${domain}`;
    from = at + 1 + domain.length;
    at = from - 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
/*
 * Phone numbers: 7+ digits, loosely formatted. A number stands on its own:
 * digits inside an id (an ARN's account, a request or trace id, a message id)
 * touch letters, colons, slashes or dashes and are left alone, so requests
 * stay traceable. A leading + marks a number even after a colon (tel:+1...).
 * A match spans at most 40 characters (a formatted number takes about 20):
 * unbounded, the expression read the rest of a run of digits, blanks and
 * dashes again from each digit where no number ended (`1- 1- 1- …`), and a
 * 250,000-character event value took minutes of CPU in the logger. A longer
 * run is masked in pieces.
 */
const E164 = /(?<![\w+])\+\d[\d\s().-]{5,38}\d(?![\w:/@-])/g;
const LOOSE = /(?<![\w:./#@+-])\(?\d[\d\s().-]{5,38}\d(?![\w:/#@-]|\.\d)/g;

/** Replaces email addresses and phone numbers in `text` with masked forms. */
export function maskText(text: string): string {
  const phone = (match: string) => {
    const digits = match.replace(/\D/g, '');
    if (digits.length < 7) return match;
    // ISO timestamps and dates look like digit runs with dashes: keep them.
    if (/^\d{4}-\d{2}-\d{2}/.test(match)) return match;
    return `***${digits.slice(-2)}`;
  };
  return maskEmails(text).replace(E164, phone).replace(LOOSE, phone);
}

/** Deeply masks every string in a JSON-like value; other values pass through. */
export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map(maskValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v)]));
  }
  return value;
}
