import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { smsParts } from '#infra/simulate/world/clients.ts';

/** The calculator's own count, which the forecast bills by. */
function calculated(body: string): number {
  return new SegmentedMessage(body, 'auto').segmentsCount;
}

const PRINTABLE_ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
/** Around each length where a text takes another part: GSM-7 (160, then 153 a part; 80 of two septets each), UCS-2 (70). */
const LENGTHS = [0, 1, 70, 71, 80, 81, 153, 154, 160, 161, 306, 307];

describe('SMS parts', () => {
  it('counts a text of one printable ASCII character repeated as the calculator does, at every length where parts change', () => {
    // arrange
    const texts = PRINTABLE_ASCII.flatMap((char) => LENGTHS.map((n) => char.repeat(n)));
    // act
    const counted = texts.map((text) => [text.slice(0, 3), text.length, smsParts(text)]);
    // assert
    expect(counted).toEqual(texts.map((text) => [text.slice(0, 3), text.length, calculated(text)]));
  });

  it('counts texts mixing GSM-7, its extension characters, line breaks, accents, the euro sign and emoji as the calculator does', () => {
    // arrange: mostly plain characters, so that texts of one septet each and long texts are frequent
    const char = fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(...PRINTABLE_ASCII) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('\n', '\r', '\r\n', 'é', 'à', 'Ä', '€', 'Ω', '🛒', '👍🏽', 'ç', '\u00a0'),
      },
    );
    const body = fc.array(char, { maxLength: 700 }).map((chars) => chars.join(''));
    // act / assert
    fc.assert(
      fc.property(body, (text) => {
        expect(smsParts(text)).toBe(calculated(text));
      }),
      { seed: 29, numRuns: 2_000 },
    );
  });
});
