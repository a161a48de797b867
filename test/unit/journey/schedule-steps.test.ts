import { describe, expect, it } from 'vitest';
import { nextOccurrence } from '#infra/local/services/scheduler/schedule-expression.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * A segment journey whose schedule validates is one a scheduler can run: a
 * cron step of zero (`0/0`, `*\/0`) repeats nothing, and the local
 * scheduler (as Scheduler) cannot compute its next run, so the journey
 * would deploy and never enroll anyone. Validation refuses it, naming the
 * field.
 */

const segmentJourney = (schedule: string) => ({
  id: 'weekly-digest',
  name: 'Weekly digest',
  trigger: { type: 'segment', schedule, segment: { path: 'profile.traits.plan', eq: 'pro' } },
  start: 'done',
  steps: { done: { type: 'exit' } },
});

const problems = (schedule: string) => {
  const result = validateJourney(segmentJourney(schedule));
  return result.ok ? [] : result.violations.map((v) => `${v.path} | ${v.message}`);
};

describe('a cron step', () => {
  it.each([
    ['cron(0/0 * * * ? *)', 'minutes "0/0"'],
    ['cron(0 */0 * * ? *)', 'hours "*/0"'],
    ['cron(5-5/0 9 * * ? *)', 'minutes "5-5/0"'],
    ['cron(0 9 1/00 * ? *)', 'day-of-month "1/00"'],
    ['cron(0 9 ? * 1/0 *)', 'day-of-week "1/0"'],
  ])('of zero (%s) is refused, naming the field', (schedule, field) => {
    expect(problems(schedule)).toStrictEqual([
      expect.stringMatching(
        new RegExp(
          `^trigger\\.schedule \\| .*${field.replace(/[*/()?]/g, '\\$&')} is not valid .*steps of 1 or more\\)$`,
        ),
      ),
    ]);
  });

  it.each(['cron(0/15 * * * ? *)', 'cron(0 9/1 * * ? *)', 'cron(0 9 1/7 * ? *)', 'cron(0 9 ? * 2/2 *)'])(
    'of one or more (%s) validates, and the scheduler finds its next run',
    (schedule) => {
      expect(problems(schedule)).toStrictEqual([]);
      const from = new Date('2026-03-02T10:00:00Z');
      expect(nextOccurrence(schedule, from, from)?.getTime()).toBeGreaterThanOrEqual(from.getTime());
    },
  );
});

describe('a cron range that runs backwards', () => {
  it.each([
    ['cron(0 22-2 * * ? *)', 'hours range "22-2"', '22-23,0-2'],
    ['cron(0 9 ? * FRI-MON *)', 'day-of-week range "FRI-MON"', 'FRI-SAT,SUN-MON'],
    ['cron(50-10/5 * * * ? *)', 'minutes range "50-10"', '50-59,0-10'],
    ['cron(0 9 ? NOV-FEB MON *)', 'month range "NOV-FEB"', 'NOV-DEC,JAN-FEB'],
  ])('(%s) is refused, naming the field and the two ranges that wrap', (schedule, field, split) => {
    expect(problems(schedule)).toStrictEqual([
      expect.stringMatching(
        new RegExp(`^trigger\\.schedule \\| .*${field} runs backwards; .* such as ${split}$`),
      ),
    ]);
  });

  it('written as two ranges, validates and runs', () => {
    expect(problems('cron(0 22-23,0-2 * * ? *)')).toStrictEqual([]);
    const from = new Date('2026-03-02T03:00:00Z');
    expect(nextOccurrence('cron(0 22-23,0-2 * * ? *)', from, from)?.toISOString()).toBe(
      '2026-03-02T22:00:00.000Z',
    );
  });
});

describe('a rate', () => {
  it.each(['rate(73001 days)', 'rate(1752025 hours)', 'rate(99999999999999 minutes)'])(
    'past 200 years (%s) is refused: its next run would fall past the dates a scheduler keeps',
    (schedule) => {
      expect(problems(schedule)).toStrictEqual([
        expect.stringMatching(
          /^trigger\.schedule \| rate\(.*\): its period must be at most P200Y \(200 years\)$/,
        ),
      ]);
    },
  );

  it('of 200 years validates, and the scheduler finds its next run', () => {
    expect(problems('rate(73000 days)')).toStrictEqual([]);
    const from = new Date('2026-03-02T10:00:00Z');
    expect(nextOccurrence('rate(73000 days)', new Date(from.getTime() + 1), from)?.getTime()).toBe(
      from.getTime() + 73_000 * 86_400_000,
    );
  });
});
