import { describe, expect, it } from 'vitest';
import { fnv1a32, hex128 } from '#shared/hash.ts';

/**
 * hex128 names stored items (deliveries, enrollments, waiters, redelivery
 * guards): a different digest for the same text would orphan every item a
 * running journey already wrote.
 */
describe('hex128', () => {
  it.each([
    ['', '811c9dc50123456789abcdef0badf00d'],
    ['email:customer-1@example.com', '27dfabbc1e1d7c3ed10e9756185be474'],
    ['é\u{1F600}\ud800#x', '06de091861219946b81bf4be38d99010'],
    ['a'.repeat(1000), '1dd9658d527d516f332f3177466766d5'],
  ])('gives %j the digest it has always had', (text, digest) => {
    expect(hex128(text)).toBe(digest);
  });

  it('is the four seeded FNV-1a hashes of the text, in order', () => {
    // arrange
    const texts = ['x', 'sim-42#cart-abandonment', '\u0000\uffff', 'ü'.repeat(37)];
    const seeds = [0x811c9dc5, 0x01234567, 0x89abcdef, 0x0badf00d];

    for (const text of texts) {
      // act
      const digest = hex128(text);

      // assert
      expect(digest).toBe(seeds.map((seed) => fnv1a32(text, seed).toString(16).padStart(8, '0')).join(''));
    }
  });
});
