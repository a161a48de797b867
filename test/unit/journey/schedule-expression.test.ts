import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

// arrange: a segment journey with the schedule under test
const journey = (schedule: string) => ({
  id: 'pro-digest',
  name: 'Pro digest',
  trigger: { type: 'segment', schedule, segment: { path: 'profile.traits.plan', eq: 'pro' } },
  start: 'done',
  steps: { done: { type: 'exit' } },
});

const problems = (schedule: string) => {
  const result = validateJourney(journey(schedule));
  return result.ok ? [] : result.violations.map((v) => `${v.path}: ${v.message}`);
};

describe('a segment schedule that EventBridge Scheduler would refuse is refused before deploy', () => {
  it.each([
    ['rate(0 days)', 'the rate must be at least 1'],
    ['rate(1 days)', 'write rate(1 day)'],
    ['rate(2 hour)', 'write rate(2 hours)'],
    ['cron(0 9 * * *)', 'a cron needs 6 fields'],
    ['cron(0 25 * * ? *)', 'hours "25" is not valid'],
    ['cron(0 9 * 13 ? *)', 'month "13" is not valid'],
    ['cron(0 9 * * * *)', 'put ? in exactly one of day-of-month and day-of-week'],
    ['cron(0 9 ? * ? *)', 'put ? in exactly one of day-of-month and day-of-week'],
    ['cron(0 9 ? * FUN *)', 'day-of-week "FUN" is not valid'],
  ])('%s', (schedule, why) => {
    expect(problems(schedule)).toStrictEqual([expect.stringContaining(why)]);
    expect(problems(schedule)[0]).toMatch(/^trigger\.schedule: /);
  });

  it.each([
    'rate(1 day)',
    'rate(15 minutes)',
    'cron(0 9 * * ? *)',
    'cron(0 9 ? * MON-FRI *)',
    'cron(30 8 L * ? *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0/15 8-17 ? * 2-6 2026-2027)',
    'cron(0 9 1,15 JAN,JUL ? *)',
  ])('accepts %s', (schedule) => {
    expect(problems(schedule)).toStrictEqual([]);
  });
});

describe('a segment schedule that Scheduler takes but that never runs is warned about', () => {
  const warnings = (schedule: string) => {
    const result = validateJourney(journey(schedule));
    expect(result.ok).toBe(true);
    return result.warnings.map((w) => `${w.path} ${w.code}: ${w.message}`);
  };

  it.each([
    ['cron(0 9 31 2 ? *)', 'no day 31 in FEB'],
    ['cron(0 9 30 2 ? *)', 'no day 30 in FEB'],
    ['cron(0 9 31 APR,JUN,SEP,NOV ? *)', 'no day 31 in APR, JUN, SEP, NOV'],
    ['cron(0 9 30-31 2 ? *)', 'no day 30, 31 in FEB'],
    ['cron(0 9 29 2 ? 2026-2027)', 'no day 29 in FEB of a year that is not a leap year'],
  ])('%s', (schedule, why) => {
    expect(warnings(schedule)).toStrictEqual([
      expect.stringMatching(new RegExp(`^trigger\\.schedule schedule\\.never-runs: .*${why}`)),
    ]);
  });

  it.each([
    'cron(0 9 29 2 ? *)',
    'cron(0 9 29 2 ? 2028)',
    'cron(0 9 31 * ? *)',
    'cron(0 9 28-31 2 ? *)',
    'cron(0 9 L 2 ? *)',
    'cron(0 9 ? 2 MON *)',
    'cron(0 9 31 1/2 ? *)',
    'rate(1 day)',
  ])('stays quiet for %s', (schedule) => {
    expect(warnings(schedule)).toStrictEqual([]);
  });
});
