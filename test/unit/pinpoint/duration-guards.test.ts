import { describe, expect, expectTypeOf, it } from 'vitest';
import { isPositiveDuration } from '#infra/cli/import-pinpoint/time.ts';

/** A duration a guard turns down is still a string: the false branch must keep it one. */
function describeWait(text: string | undefined): string {
  if (isPositiveDuration(text)) return `waits ${text}`;
  expectTypeOf(text).toEqualTypeOf<string | undefined>();
  return text === undefined ? 'no wait' : `not a positive duration: ${text.trim()}`;
}

describe('isPositiveDuration', () => {
  it('narrows a positive duration and leaves any other string a string', () => {
    expect(describeWait('PT1H')).toBe('waits PT1H');
    expect(describeWait('PT0S')).toBe('not a positive duration: PT0S');
    expect(describeWait(' -P1D ')).toBe('not a positive duration: -P1D');
    expect(describeWait(undefined)).toBe('no wait');
  });
});
