import { describe, expect, it } from 'vitest';
import {
  nextOccurrence,
  ScheduleExpressionError,
} from '#infra/local/services/scheduler/schedule-expression.ts';

const START = new Date('2026-11-24T10:30:00Z');

describe('nextOccurrence', () => {
  it.each([
    [
      'rate(1 day) runs at its start',
      'rate(1 day)',
      '2026-11-24T10:30:00Z',
      'UTC',
      '2026-11-24T10:30:00.000Z',
    ],
    ['rate(1 day) then every day', 'rate(1 day)', '2026-11-24T10:30:01Z', 'UTC', '2026-11-25T10:30:00.000Z'],
    [
      'rate(2 hours) from the start',
      'rate(2 hours)',
      '2026-11-24T13:00:00Z',
      'UTC',
      '2026-11-24T14:30:00.000Z',
    ],
    ['rate(15 minutes)', 'rate(15 minutes)', '2026-11-24T10:31:00Z', 'UTC', '2026-11-24T10:45:00.000Z'],
    ['cron in UTC', 'cron(0 9 * * ? *)', '2026-11-24T10:30:00Z', 'UTC', '2026-11-25T09:00:00.000Z'],
    [
      'cron in the zone',
      'cron(0 9 * * ? *)',
      '2026-11-24T10:30:00Z',
      'Europe/Rome',
      '2026-11-25T08:00:00.000Z',
    ],
    [
      'cron at the instant itself',
      'cron(0 9 * * ? *)',
      '2026-11-25T09:00:00Z',
      'UTC',
      '2026-11-25T09:00:00.000Z',
    ],
    ['weekday names', 'cron(0 9 ? * MON *)', '2026-11-24T10:30:00Z', 'UTC', '2026-11-30T09:00:00.000Z'],
    [
      'weekday numbers from Sunday = 1',
      'cron(0 9 ? * 2 *)',
      '2026-11-24T10:30:00Z',
      'UTC',
      '2026-11-30T09:00:00.000Z',
    ],
    ['weekday ranges', 'cron(0 9 ? * 2-6 *)', '2026-11-28T10:30:00Z', 'UTC', '2026-11-30T09:00:00.000Z'],
    ['a year field', 'cron(0 0 1 1 ? 2028)', '2026-11-24T10:30:00Z', 'UTC', '2028-01-01T00:00:00.000Z'],
    // Scheduler's special days (Sunday 1 November 2026, Sunday 31 January 2027).
    [
      'the weekday nearest the 15th',
      'cron(0 9 15W * ? *)',
      '2026-11-01T00:00:00Z',
      'UTC',
      '2026-11-16T09:00:00.000Z',
    ],
    ['W stays in its month', 'cron(0 9 1W * ? *)', '2026-11-01T00:00:00Z', 'UTC', '2026-11-02T09:00:00.000Z'],
    ['the last weekday', 'cron(0 9 LW * ? *)', '2027-01-01T00:00:00Z', 'UTC', '2027-01-29T09:00:00.000Z'],
    ['the last day', 'cron(0 9 L * ? *)', '2027-02-01T00:00:00Z', 'UTC', '2027-02-28T09:00:00.000Z'],
    [
      "a lone L is the week's last day",
      'cron(0 9 ? * L *)',
      '2026-11-24T10:30:00Z',
      'UTC',
      '2026-11-28T09:00:00.000Z',
    ],
    [
      "the month's last Friday",
      'cron(0 9 ? * 6L *)',
      '2026-11-01T00:00:00Z',
      'UTC',
      '2026-11-27T09:00:00.000Z',
    ],
    ['the first Monday', 'cron(0 9 ? * 2#1 *)', '2026-11-24T10:30:00Z', 'UTC', '2026-12-07T09:00:00.000Z'],
    [
      'the first Monday by name',
      'cron(0 9 ? * MON#1 *)',
      '2026-11-24T10:30:00Z',
      'UTC',
      '2026-12-07T09:00:00.000Z',
    ],
  ])('%s', (_, expression, from, zone, expected) => {
    expect(nextOccurrence(expression, new Date(from), START, zone)?.toISOString()).toBe(expected);
  });

  it('has no occurrence when the years are past', () => {
    expect(nextOccurrence('cron(0 0 1 1 ? 2020)', START, START)).toBeUndefined();
  });

  it.each(['at(2026-12-01T00:00:00)', 'cron(0 9 * *)', 'rate(0 days)'])('rejects %s', (expression) => {
    expect(() => nextOccurrence(expression, START, START)).toThrow(ScheduleExpressionError);
  });
});
