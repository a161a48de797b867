import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Length } from '#shared/utf8.ts';

/** The UTF-8 length of a string counted without encoding it, against the encoder itself. */

const encoded = (text: string) => new TextEncoder().encode(text).length;

describe('utf8Length', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['a😀b', 6],
    ['\ud800', 3],
    ['\udc00x', 4],
    ['\ud83d\ud83d\ude00', 7],
  ])('counts %j as %i bytes, as the encoder does', (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes);
    expect(encoded(text)).toBe(bytes);
  });

  it('agrees with the encoder on any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(encoded(text));
      }),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) }),
        (text) => {
          expect(utf8Length(text)).toBe(encoded(text));
        },
      ),
    );
  });
});
