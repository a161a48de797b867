/**
 * Masking of personal data in log lines: email addresses and phone numbers
 * never reach the logs in clear. Enough is kept to tell records apart while
 * debugging (first character of the mailbox, the domain, the last two digits).
 */

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
/*
 * Phone numbers: 7+ digits, loosely formatted. A number stands on its own:
 * digits inside an id (an ARN's account, a request or trace id, a message id)
 * touch letters, colons, slashes or dashes and are left alone, so requests
 * stay traceable. A leading + marks a number even after a colon (tel:+1...).
 */
const E164 = /(?<![\w+])\+\d[\d\s().-]{5,}\d(?![\w:/@-])/g;
const LOOSE = /(?<![\w:./#@+-])\(?\d[\d\s().-]{5,}\d(?![\w:/#@-]|\.\d)/g;

/** Replaces email addresses and phone numbers in `text` with masked forms. */
export function maskText(text: string): string {
  const phone = (match: string) => {
    const digits = match.replace(/\D/g, '');
    if (digits.length < 7) return match;
    // ISO timestamps and dates look like digit runs with dashes: keep them.
    if (/^\d{4}-\d{2}-\d{2}/.test(match)) return match;
    return `***${digits.slice(-2)}`;
  };
  return text
    .replace(EMAIL, (_match, first: string, domain: string) => `${first}***@${domain}`)
    .replace(E164, phone)
    .replace(LOOSE, phone);
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
