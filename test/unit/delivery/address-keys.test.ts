import { describe, expect, it } from 'vitest';
import { addressKey, addressKeys } from '#shared/delivery/policy.ts';
import { hex128 } from '#shared/hash.ts';

const email = (address: string) => ({ channel: 'email', email: address }) as const;

describe('the key a suppression stops an email address by', () => {
  it.each([
    ['ana@caff\u00e8.example', 'ana@caffe\u0300.example'],
    ['ana@caff\u00e8.example', 'ana@xn--caff-8oa.example'],
    ['ana@caff\u00e8.example', 'Ana@CAFF\u00c8.EXAMPLE'],
    ['ana@example.com', 'ana@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com'],
    ['ana@example.com', ' ana@example.com '],
  ])('is one for %s and %s', (a, b) => {
    expect(addressKey(email(a))).toBe(addressKey(email(b)));
  });

  it.each([
    ['ana@caff\u00e8.example', 'ana@caffe.example'],
    ['ana@caff\u00e8.example', 'bea@caff\u00e8.example'],
  ])('tells %s from %s', (a, b) => {
    expect(addressKey(email(a))).not.toBe(addressKey(email(b)));
  });

  it('is unchanged for an ASCII address, so suppressions recorded before keep stopping it', () => {
    expect(addressKeys(email('Ana@Example.com'))).toEqual([hex128('email:ana@example.com')]);
  });

  it('also matches the key recorded before for a domain in another script, as it was spelt', () => {
    const keys = addressKeys(email('ana@caff\u00e8.example'));
    expect(keys).toContain(hex128('email:ana@caff\u00e8.example'));
    expect(keys[0]).toBe(hex128('email:ana@xn--caff-8oa.example'));
  });
});
