import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryValueProblem, stringJsonBytes } from '#shared/journey/context-names.ts';
import { contextAfter } from '#shared/journey/context-set.ts';
import { declaredBytes } from '#shared/journey/journey-context.ts';

/**
 * A variable's share of the execution state is counted at four bytes per
 * character of its maxLength. JSON writes a control character as `\u00XX`
 * (six bytes), so a string of them within its characters could take half as
 * much again: such a value does not fit, at entry and when a step copies it.
 */
describe('a context string that fits its characters but not its bytes', () => {
  const controls = '\u0001'.repeat(10);

  it('does not start a variable at entry, and the reason says why', () => {
    expect(entryValueProblem(controls, { type: 'string', maxLength: 10 })).toMatch(
      /takes 62 bytes as JSON .* over the 42 its maxLength 10 allows/,
    );
    expect(entryValueProblem('\u0001'.repeat(6), { type: 'string', maxLength: 10 })).toBeUndefined();
  });

  it('is not set when a step copies it', () => {
    const after = contextAfter({}, [{ name: 'note', value: controls, copied: true, maxLength: 10 }], 'each');
    expect(after.note).toBeNull();
  });

  it('never lets a value that fits take more than its declared share', () => {
    const unit = fc.oneof(
      fc.constantFrom('\u0001', '"', '\\', '\n', 'é', '😀'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const text = fc.array(unit, { maxLength: 80 }).map((units) => units.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 64 }), (value, maxLength) => {
        if (entryValueProblem(value, { type: 'string', maxLength }) !== undefined) return;
        expect(stringJsonBytes(value) + 'note'.length + 4).toBeLessThanOrEqual(
          declaredBytes('note', { type: 'string', maxLength }),
        );
      }),
    );
  });
});
