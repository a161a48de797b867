import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { CHANNELS } from '#shared/channels.ts';
import * as z from '#shared/zod.ts';

/**
 * Signed unsubscribe links. The token names the customer, the channel and
 * (optionally) the topic, and carries an HMAC-SHA256 of exactly those over a
 * key only the stack knows: a link cannot be made for a customer id someone
 * guessed, nor edited to point at another customer or topic.
 * Format: "v1." base64url(JSON claim) "." base64url(HMAC of PURPOSE + claim).
 * Links sent before the format had a version (base64url(JSON claim) "."
 * base64url(HMAC of the claim alone)) still opt out; see {@link legacyClaim}.
 */
export const UnsubscribeClaim = z.strictObject({
  /** userId */
  u: z.string().check(z.minLength(1)),
  /** channel */
  c: z.enum(CHANNELS),
  /** topic */
  t: z.optional(z.string().check(z.minLength(1))),
  /** issued at, in seconds since the epoch; links signed before it was added have none */
  i: z.optional(z.number().check(z.int(), z.gte(0))),
});
export type UnsubscribeClaim = z.infer<typeof UnsubscribeClaim>;

/**
 * How long a link can turn messages back on (`channel-on`, `topic-on`) after
 * it was sent: long enough to undo a mistaken click, short enough that a
 * forwarded or leaked link cannot subscribe the customer again later. Opting
 * out never expires (CAN-SPAM and GDPR: an unsubscribe link keeps working),
 * and a link without an issue time can only opt out.
 */
export const RESUBSCRIBE_WITHIN_DAYS = 7;
const RESUBSCRIBE_WITHIN_S = RESUBSCRIBE_WITHIN_DAYS * 86_400;

/** Whether a verified link may still subscribe its customer again at `now`. */
export function mayResubscribe(claim: UnsubscribeClaim, now: Date): boolean {
  // An issue time ahead of `now` is one the stack signed (a clock ahead): not stale.
  return claim.i !== undefined && now.getTime() / 1000 - claim.i <= RESUBSCRIBE_WITHIN_S;
}

/**
 * Keys and link bases seen, each prepared once: a key given as text is
 * imported at every HMAC otherwise (a third of a signature's cost), and a
 * base URL parsed at every link. A process sees one or two of each (a key
 * rotation); past LIMIT the oldest is dropped.
 */
const LIMIT = 4;
const keys = new Map<string, KeyObject>();
const bases = new Map<string, { before: string; after: string } | undefined>();

function remember<T>(cache: Map<string, T>, text: string, make: () => T): T {
  if (cache.has(text)) return cache.get(text) as T;
  const made = make();
  if (cache.size >= LIMIT) cache.delete(cache.keys().next().value ?? '');
  cache.set(text, made);
  return made;
}

/** The version of the token format, its first part: a new format is a new version, never a silent change. */
const FORMAT = 'v1';

/**
 * What a link's MAC is over, ahead of its claim: what the signature is for,
 * and the format. Whatever else the key may ever sign, it signs under a
 * purpose of its own, so no signature made for anything else verifies as a
 * link. The line break is no base64url character: no MAC input of this
 * format is one of a legacy link.
 */
const PURPOSE = `journeys unsubscribe link ${FORMAT}\n`;

/** The HMAC of `purpose` then `payload` (a legacy link's purpose is empty). */
function mac(key: string, purpose: string, payload: string): Buffer {
  const prepared = remember(keys, key, () => createSecretKey(Buffer.from(key)));
  return createHmac('sha256', prepared).update(purpose).update(payload).digest();
}

export function signUnsubscribe(key: string, claim: UnsubscribeClaim): string {
  const payload = Buffer.from(JSON.stringify(claim)).toString('base64url');
  return `${FORMAT}.${payload}.${mac(key, PURPOSE, payload).toString('base64url')}`;
}

/** The claim of a token whose signature is right, else `undefined`. */
export function verifyUnsubscribe(key: string, token: string): UnsubscribeClaim | undefined {
  const parts = token.split('.');
  const [first = '', second = '', third] = parts;
  if (parts.length === 3 && first === FORMAT && third !== undefined)
    return signedClaim(key, second, third, PURPOSE);
  if (parts.length !== 2) return undefined;
  const claim = signedClaim(key, first, second, '');
  return claim === undefined ? undefined : legacyClaim(claim);
}

/**
 * What a link sent before the format had a version may do: opt out, for as
 * long as the key it was signed with verifies (the current key or the one
 * before the last rotation; two rotations end it). Its MAC is over the claim
 * alone, which names no purpose, so it is never trusted to subscribe again:
 * its issue time is dropped, as for a link that never had one.
 */
function legacyClaim(claim: UnsubscribeClaim): UnsubscribeClaim {
  const { i: _issued, ...optOutOnly } = claim;
  return optOutOnly;
}

/** The claim in `payload` when `signature` is its MAC under `key` and `purpose`, else undefined. */
function signedClaim(
  key: string,
  payload: string,
  signature: string,
  purpose: string,
): UnsubscribeClaim | undefined {
  const given = strictBase64url(signature);
  const claim = strictBase64url(payload);
  if (given === undefined || claim === undefined) return undefined;
  const expected = mac(key, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed = UnsubscribeClaim.safeParse(JSON.parse(claim.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bytes of base64url text in its canonical form only (no padding, no
 * other characters, unused bits zero), else undefined: Node's decoder skips
 * what it does not read, so a token with junk in it would verify as the
 * token without, and one token would have many spellings.
 */
function strictBase64url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** The link a message carries: the unsubscribe endpoint with the signed token. */
export function unsubscribeLink(baseUrl: string, key: string, claim: UnsubscribeClaim): string {
  const token = signUnsubscribe(key, claim);
  const prepared = remember(bases, baseUrl, () => prepare(baseUrl));
  if (prepared === undefined) return withToken(baseUrl, token);
  return `${prepared.before}${token}${prepared.after}`;
}

function withToken(baseUrl: string, token: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('t', token);
  return url.toString();
}

/**
 * A base URL with `t` set to a marker, split around it: a token (base64url
 * and dots) is never escaped in a query, so it put in place of the marker
 * gives the link setting it would. Undefined when the base holds the marker itself.
 */
function prepare(baseUrl: string): { before: string; after: string } | undefined {
  const marked = withToken(baseUrl, TOKEN_MARK);
  const at = marked.indexOf(TOKEN_MARK);
  if (at !== marked.lastIndexOf(TOKEN_MARK)) return undefined;
  return { before: marked.slice(0, at), after: marked.slice(at + TOKEN_MARK.length) };
}

/** Stands for the token: characters a query keeps as they are. */
const TOKEN_MARK = '*token.mark*';
