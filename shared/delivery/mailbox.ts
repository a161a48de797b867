import { utf8Length } from '../utf8.ts';

/**
 * Sender and reply-to addresses as a journey names them (`news@shop.example`
 * or `Café Roma <news@caffè.example>`) and as SES takes them: SES accepts
 * 7-bit ASCII only, so a display name with other characters is a MIME
 * encoded-word (RFC 2047) and a domain with them is Punycode (RFC 3492); a
 * local part must be ASCII already (SES does not take SMTPUTF8).
 */

export type Mailbox = { name?: string; address: string };

/** `Name <address>` (the name optionally quoted) or a bare address. */
const NAMED = /^([^<>]*)<([^<>\s]+)>$/;
const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;
const ASCII_LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
/** Characters a display name may show only inside a quoted string (RFC 5322 specials). */
const SPECIALS = /[()<>[\]:;@\\,."]/;
/** Bytes of name per encoded-word: its base64 (60 characters) and markers stay within 75. */
const WORD_BYTES = 45;

function unquoted(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"'))
    return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
  return trimmed;
}

/** The domain in ASCII (Punycode for an internationalised one), or undefined when it is not a domain name. */
function asciiDomain(domain: string): string | undefined {
  if (!/^[^\s/?#:@[\]\\%]+$/.test(domain)) return undefined;
  try {
    const host = new URL(`http://${domain}`).hostname;
    return /^[a-z0-9.-]+$/.test(host) ? host : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 5321 §4.5.3.1: a local part holds at most 64 octets, a forward path 256 with its brackets. */
const MAX_LOCAL_PART = 64;
const MAX_ADDRESS = 254;

type Read = { mailbox: Mailbox } | { problem: string };

function read(text: string): Read {
  const malformed = { problem: 'is not an email address such as ada@example.com' };
  // A line break or other control character would end the mail header it goes in.
  if (/[\p{Cc}\u2028\u2029]/u.test(text)) return malformed;
  const named = NAMED.exec(text.trim());
  const raw = named === null ? text.trim() : (named[2] ?? '');
  const at = raw.lastIndexOf('@');
  const local = raw.slice(0, at);
  const domain = asciiDomain(raw.slice(at + 1));
  if (at <= 0 || !ASCII_LOCAL_PART.test(local) || domain === undefined) return malformed;
  // Mail servers refuse longer ones: the limits count what SES sends, the domain in Punycode.
  if (local.length > MAX_LOCAL_PART)
    return {
      problem: `has a local part (before the @) of ${local.length} characters; at most ${MAX_LOCAL_PART}`,
    };
  const address = `${local}@${domain}`;
  if (address.length > MAX_ADDRESS)
    return {
      problem: `is ${address.length} characters long as mail servers read it; at most ${MAX_ADDRESS}`,
    };
  const name = named === null ? '' : unquoted(named[1] ?? '');
  return { mailbox: { ...(name === '' ? {} : { name }), address } };
}

/** Reads a sender or reply-to address; undefined when SES could not take it (see {@link mailboxProblem}). */
export function parseMailbox(text: string): Mailbox | undefined {
  const result = read(text);
  return 'mailbox' in result ? result.mailbox : undefined;
}

/** Why SES could not take `text` as a mailbox (malformed, a local part over 64, an address over 254), or undefined. */
export function mailboxProblem(text: string): string | undefined {
  const result = read(text);
  return 'problem' in result ? result.problem : undefined;
}

/** A bare address (no display name) as SES takes it, its domain in Punycode; undefined when it is none. */
export function asciiAddress(text: string): string | undefined {
  if (text !== text.trim() || /[<>]/.test(text)) return undefined;
  return parseMailbox(text)?.address;
}

function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** A display name as a header shows it in ASCII: as it is, quoted, or in encoded-words. */
function displayName(name: string): string {
  if (ASCII_PRINTABLE.test(name)) return SPECIALS.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : name;
  const words: string[] = [];
  let chunk = '';
  for (const char of name) {
    if (utf8Length(chunk + char) > WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${base64(word)}?=`).join(' ');
}

/** The mailbox as SES takes it (7-bit ASCII); text that is no mailbox is passed on for SES to refuse. */
export function sesMailbox(text: string): string {
  const mailbox = parseMailbox(text);
  if (mailbox === undefined) return text;
  return mailbox.name === undefined ? mailbox.address : `${displayName(mailbox.name)} <${mailbox.address}>`;
}
