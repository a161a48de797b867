import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskText, maskValue } from '#shared/mask.ts';

describe('maskText', () => {
  it.each([
    ['mail ada.lovelace@example.com now', 'mail a***@example.com now'],
    ['call +39 333 123 4567', 'call ***67'],
    ['+393331234567', '***67'],
    ['at 2026-11-24T10:00:00Z', 'at 2026-11-24T10:00:00Z'],
    ['order 42 of 3 items', 'order 42 of 3 items'],
    ['call 0412 345 678 today', 'call ***78 today'],
    ['(555) 123-4567', '***67'],
    ['tel:+15551234567', 'tel:***67'],
    ['{"phone":"+393331234567"}', '{"phone":"***67"}'],
    ['phone=4155550123&x=1', 'phone=***23&x=1'],
  ])('%s', (input, expected) => {
    expect(maskText(input)).toBe(expected);
  });

  it('masks deeply inside objects and arrays', () => {
    expect(maskValue({ a: ['x@y.io'], b: { phone: '+14155550123' }, n: 1 })).toEqual({
      a: ['x***@y.io'],
      b: { phone: '***23' },
      n: 1,
    });
  });

  it.each([
    'arn:aws:lambda:us-east-1:123456789012:function:journeys-send-message',
    'arn:aws:states:eu-west-1:123456789012:execution:journey-cart:e-1234567890abcdef',
    'a492d564-b19f-4c85-85fc-62c4e85e5123',
    '1-5759e988-bd862e3fe1be46a994272793',
    '010001923a1b2c3d-1234567a-89bc-4def-a012-3456789abcde-000000',
    'https://sqs.eu-west-1.amazonaws.com/123456789012/journeys-rejected',
    '2026-11-30T13:13:24.176Z',
    'deliveryId e-20261130-7f3a#email-1',
  ])('leaves ids and timestamps traceable: %s', (id) => {
    expect(maskText(`request ${id} done`)).toBe(`request ${id} done`);
  });
});

describe('maskText on addresses in any script', () => {
  it.each([
    // Only the first character of a mailbox is kept, whatever script it is written in.
    ['from josé.garcía@correo.es', 'from j***@correo.es'],
    ['Müller@example.de wrote', 'M***@example.de wrote'],
    ['to 用户@例子.中国 ok', 'to 用***@例子.中国 ok'],
    ['anna@bücher.de', 'a***@bücher.de'],
    ['ivan@пример.рф', 'i***@пример.рф'],
    // A character outside the Basic Multilingual Plane is kept whole, never half of it.
    ['𠮷野家@example.jp', '𠮷***@example.jp'],
  ])('%s', (input, expected) => {
    expect(maskText(input)).toBe(expected);
  });
});

describe('maskText on long text', () => {
  it('masks an address after 250,000 mailbox characters with no @, reading each once', () => {
    // arrange: a value as large as an event may carry. The expression tried a mailbox from every one of
    // those characters and read the rest of the run each time: 40,000 took 4 s of CPU, 250,000 minutes.
    const run = 'a.'.repeat(125_000);
    // act
    const masked = maskText(`${run} and ${run}b@example.com, ${'x'.repeat(1000)}@${'y'.repeat(1000)}`);
    // assert
    expect(masked).toBe(`${run} and a***@example.com, ${'x'.repeat(1000)}@${'y'.repeat(1000)}`);
  });

  it('masks every address the expression masks, and only those', () => {
    // The expression as it was, against text of the characters that decide a match.
    const expression = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
    const text = fc.array(fc.constantFrom('a', 'b', '.', '-', '_', '%', '@', ' ', 'co', '.io', '@x.'), {
      maxLength: 40,
    });
    fc.assert(
      fc.property(text, (parts) => {
        const input = parts.join('');
        const expected = input.replace(
          expression,
          (_m, first: string, domain: string) => `${first}***@${domain}`,
        );
        // Phone numbers are masked after addresses: none in these characters.
        expect(maskText(input)).toBe(expected);
      }),
      { seed: 20261202, numRuns: 2000 },
    );
  });

  it('masks a phone number after 250,000 characters of digits and dashes, reading each a bounded number of times', () => {
    // arrange: digits each followed by a dash (no number ends there), as an event property may hold. The
    // expression read the rest of the run again from every digit: 48,000 characters took 3 s of CPU.
    const run = '1- '.repeat(83_000);
    // act
    const masked = maskText(`${run}a ${run} call 555 123 4567 now`);
    // assert
    expect(masked).toBe(`${run}a ${run} call ***67 now`);
  });

  it('masks every phone number the expression masks in text of up to 40 characters', () => {
    // The expression as it was, against text of the characters that decide a match.
    const expression = /(?<![\w:./#@+-])\(?\d[\d\s().-]{5,}\d(?![\w:/#@-]|\.\d)/g;
    const text = fc.array(fc.constantFrom('1', '2', '5', ' ', '-', '.', '(', ')', 'a', ':', '\n'), {
      maxLength: 40,
    });
    fc.assert(
      fc.property(text, (parts) => {
        const input = parts.join('');
        const expected = input.replace(expression, (match) => {
          const digits = match.replace(/\D/g, '');
          return digits.length < 7 || /^\d{4}-\d{2}-\d{2}/.test(match) ? match : `***${digits.slice(-2)}`;
        });
        expect(maskText(input)).toBe(expected);
      }),
      { seed: 20261202, numRuns: 3000 },
    );
  });
});
