import { describe, expect, it } from 'vitest';
import { signUnsubscribe, unsubscribeLink, verifyUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';

/** A link is the base URL with its `t` parameter set to the signed token, whatever the base holds. */

const KEY = 'a-signing-key-of-at-least-32-characters';
const claim = { u: 'user 1/ü', c: 'email', t: 'cart reminders' } as const;

/** What setting the parameter gives, the way the link was made before bases were prepared once. */
function expected(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set('t', token);
  return url.toString();
}

describe('unsubscribe links', () => {
  it.each([
    'https://example.com/unsubscribe',
    'https://example.com/u?lang=it&x=a+b%20c',
    'https://example.com/u?t=old&lang=it&t=older',
    'https://example.com/u#done',
    'https://example.com/*token.mark*/u?next=*token.mark*',
  ])('sets t on %s as URLSearchParams does, the second link as the first', (base) => {
    for (let round = 0; round < 2; round++) {
      const token = signUnsubscribe(KEY, claim);
      const link = unsubscribeLink(base, KEY, claim);
      expect(link).toBe(expected(base, token));
      expect(verifyUnsubscribe(KEY, new URL(link).searchParams.get('t') ?? '')).toEqual(claim);
    }
  });

  it('signs with each key it is given, not the first one seen', () => {
    const other = 'another-signing-key-of-32-characters!!';
    const first = signUnsubscribe(KEY, claim);
    const second = signUnsubscribe(other, claim);
    expect(second).not.toBe(first);
    expect(verifyUnsubscribe(other, second)).toEqual(claim);
    expect(verifyUnsubscribe(KEY, second)).toBeUndefined();
  });

  describe('reads a token only in the form it was signed in', () => {
    const token = signUnsubscribe(KEY, claim);
    const [version = '', payload = '', signature = ''] = token.split('.');
    const v = `${version}.`;
    it.each([
      ['padding on the signature', `${v}${payload}.${signature}=`],
      ['padding on the claim', `${v}${payload}=.${signature}`],
      [
        'a character base64url has not, in the signature',
        `${v}${payload}.${signature.slice(0, 10)}!${signature.slice(10)}`,
      ],
      [
        'a character base64url has not, in the claim',
        `${v}${payload.slice(0, 4)}*${payload.slice(4)}.${signature}`,
      ],
      [
        'standard base64 in place of base64url',
        `${v}${payload}.${Buffer.from(signature, 'base64url').toString('base64')}`,
      ],
      ['a space', `${v}${payload}.${signature.slice(0, 5)} ${signature.slice(5)}`],
      ['a newline at the end', `${token}\n`],
      [
        'trailing bits set on the last character',
        `${v}${payload}.${signature.slice(0, -1)}${String.fromCharCode(signature.charCodeAt(signature.length - 1) + 1)}`,
      ],
      ['an empty claim', `${v}.${signature}`],
      ['a fourth part', `${token}.x`],
      ['no version', `${payload}.${signature}`],
      ['another version', `v2.${payload}.${signature}`],
    ])('refuses %s', (_why, tampered) => {
      expect(tampered).not.toBe(token);
      expect(verifyUnsubscribe(KEY, tampered)).toBeUndefined();
    });

    it('accepts the token as signed', () => {
      expect(verifyUnsubscribe(KEY, token)).toEqual(claim);
    });
  });
});
