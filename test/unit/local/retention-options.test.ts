import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION, resolveOptions } from '#infra/local/runtime/options.ts';

describe('the retention option of the local runtime', () => {
  it('takes each cap given and the default for the others', () => {
    // act
    const { retention } = resolveOptions({ retention: { sentEmails: 10, logBytes: 4096 } });
    // assert
    expect(retention).toEqual({ ...DEFAULT_RETENTION, sentEmails: 10, logBytes: 4096 });
  });

  it.each([
    ['logBytes', 0],
    ['sentEmails', -1],
    ['closedExecutions', 1.5],
    ['closedExecutionDays', Number.NaN],
  ])('refuses %s = %s, naming it', (name, value) => {
    expect(() => resolveOptions({ retention: { [name]: value } })).toThrow(`retention.${name}`);
  });
});
