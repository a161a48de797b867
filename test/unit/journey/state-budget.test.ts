import { describe, expect, it } from 'vitest';
import { jsonWithin } from '#shared/journey/state-budget.ts';

describe('jsonWithin', () => {
  it('counts UTF-8 bytes, as Step Functions does, not characters', () => {
    // "é" is 1 UTF-16 unit and 2 bytes; "😀" is 2 units and 4 bytes
    const accents = { s: 'é'.repeat(1000) }; // JSON: 1,008 characters, 2,008 bytes
    const emoji = { s: '😀'.repeat(500) }; // JSON: 1,008 units, 2,008 bytes
    expect(jsonWithin(accents, 2008)).toEqual({ json: JSON.stringify(accents), fits: true });
    expect(jsonWithin(accents, 2007).fits).toBe(false);
    expect(jsonWithin(emoji, 2008).fits).toBe(true);
    expect(jsonWithin(emoji, 2007).fits).toBe(false);
  });

  it('judges ASCII JSON at its length', () => {
    const value = { s: 'a'.repeat(92) }; // 100 characters
    expect(jsonWithin(value, 100).fits).toBe(true);
    expect(jsonWithin(value, 99).fits).toBe(false);
  });
});
