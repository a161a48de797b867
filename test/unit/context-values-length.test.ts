import { describe, expect, it } from 'vitest';
import { ContextValues } from '#shared/tasks/values.ts';

/**
 * The task functions read context strings by the rule the language declares
 * them with: up to 4,096 characters, an emoji one. A longer string (only an
 * execution compiled before copies were measured can carry one) is read as
 * not set, as a copied value too long is, rather than failing the step on
 * its input.
 */
describe('the context a task function receives', () => {
  it('takes a string of 4,096 characters counted as code points (4,096 emoji)', () => {
    const note = '🎉'.repeat(4096);
    expect(ContextValues.parse({ note })).toEqual({ note });
  });

  it('reads a longer string as not set, and keeps the others', () => {
    expect(ContextValues.parse({ note: 'x'.repeat(4097), code: 'A1', n: 2 })).toEqual({
      note: null,
      code: 'A1',
      n: 2,
    });
  });
});
