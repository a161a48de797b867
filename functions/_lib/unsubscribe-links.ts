import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from '#shared/zod.ts';

/**
 * Signed unsubscribe links. The token names the customer, the channel and
 * (optionally) the topic, and carries an HMAC-SHA256 of exactly those over a
 * key only the stack knows: a link cannot be made for a customer id someone
 * guessed, nor edited to point at another customer or topic.
 * Format: base64url(JSON claim) "." base64url(HMAC).
 */
export const UnsubscribeClaim = z.strictObject({
  /** userId */
  u: z.string().check(z.minLength(1)),
  /** channel */
  c: z.enum(['email', 'sms', 'push']),
  /** topic */
  t: z.optional(z.string().check(z.minLength(1))),
});
export type UnsubscribeClaim = z.infer<typeof UnsubscribeClaim>;

function mac(key: string, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

export function signUnsubscribe(key: string, claim: UnsubscribeClaim): string {
  const payload = Buffer.from(JSON.stringify(claim)).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** The claim of a token whose signature is right, else `undefined`. */
export function verifyUnsubscribe(key: string, token: string): UnsubscribeClaim | undefined {
  const [payload, signature, ...rest] = token.split('.');
  if (payload === undefined || signature === undefined || rest.length > 0) return undefined;
  const expected = mac(key, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed = UnsubscribeClaim.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The link a message carries: the unsubscribe endpoint with the signed token. */
export function unsubscribeLink(baseUrl: string, key: string, claim: UnsubscribeClaim): string {
  const url = new URL(baseUrl);
  url.searchParams.set('t', signUnsubscribe(key, claim));
  return url.toString();
}
