import { describe, expect, it } from 'vitest';
import { errorMatches, matchingRule } from '#infra/local/services/stepfunctions/runner/error-match.ts';

/** Step Functions developer guide, "Error names": what each pattern of a Retry or Catch rule takes. */
describe('Retry and Catch error matching', () => {
  it.each([
    ['Journeys.SendFailed', 'Journeys.SendFailed', true],
    ['Journeys.SendFailed', 'Journeys.Other', false],
    ['States.ALL', 'Journeys.SendFailed', true],
    ['States.ALL', 'States.Timeout', true],
    ['States.ALL', 'States.Http.StatusCode.500', true],
    ['States.ALL', 'States.Runtime', false],
    ['States.ALL', 'States.DataLimitExceeded', false],
    ['States.TaskFailed', 'Journeys.SendFailed', true],
    ['States.TaskFailed', 'States.Timeout', false],
    ['States.TaskFailed', 'States.Runtime', false],
    ['States.TaskFailed', 'States.DataLimitExceeded', false],
    ['States.DataLimitExceeded', 'States.DataLimitExceeded', true],
    ['States.Runtime', 'States.Runtime', false],
  ])('%s takes %s: %s', (pattern, error, taken) => {
    expect(errorMatches(pattern, error)).toBe(taken);
  });

  it('picks the first rule that takes the error, or none', () => {
    // arrange
    const rules = [
      { ErrorEquals: ['Journeys.Throttled'] },
      { ErrorEquals: ['States.DataLimitExceeded', 'States.Timeout'] },
      { ErrorEquals: ['States.ALL'] },
    ];
    // act / assert
    expect(matchingRule(rules, 'Journeys.Throttled')).toBe(0);
    expect(matchingRule(rules, 'States.DataLimitExceeded')).toBe(1);
    expect(matchingRule(rules, 'Journeys.Other')).toBe(2);
    expect(matchingRule(rules, 'States.Runtime')).toBe(-1);
    expect(matchingRule(rules.slice(2), 'States.DataLimitExceeded')).toBe(-1);
  });
});
