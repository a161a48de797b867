import { describe, expect, it } from 'vitest';
import { maskText, maskValue } from '#shared/mask.ts';

describe('maskText', () => {
  it.each([
    ['mail ada.lovelace@example.com now', 'mail a***@example.com now'],
    ['call +39 333 123 4567', 'call ***67'],
    ['+393331234567', '***67'],
    ['at 2026-11-24T10:00:00Z', 'at 2026-11-24T10:00:00Z'],
    ['order 42 of 3 items', 'order 42 of 3 items'],
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
});
