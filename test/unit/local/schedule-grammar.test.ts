import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextOccurrence } from '#infra/local/services/scheduler/schedule-expression.ts';
import { scheduleNeverRuns, scheduleProblem } from '#shared/journey/schedule-expression.ts';

/**
 * Every cron Scheduler takes, the local scheduler runs: a segment journey that
 * validates and deploys on AWS also enrolls on `npm start`. Expressions are
 * built from Scheduler's grammar (lists, ranges, steps, names, `?`, `L`, `W`,
 * `LW`, `#`), and those validation accepts must give a next run in the
 * future, or none only when their years are past or their days never come.
 */

const range = (low: number, high: number) =>
  fc.oneof(
    fc.constant('*'),
    fc.integer({ min: low, max: high }).map(String),
    fc
      .tuple(fc.integer({ min: low, max: high }), fc.integer({ min: low, max: high }))
      .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    // A range that runs backwards (22-2), which validation refuses.
    fc
      .tuple(fc.integer({ min: low, max: high }), fc.integer({ min: low, max: high }))
      .map(([a, b]) => `${a}-${b}`),
    fc
      .tuple(fc.integer({ min: low, max: high }), fc.integer({ min: 1, max: high }))
      .map(([a, s]) => `${a}/${s}`),
    fc.integer({ min: 1, max: high }).map((s) => `*/${s}`),
  );
const list = (item: fc.Arbitrary<string>) =>
  fc
    .array(item, { minLength: 1, maxLength: 3 })
    .map((items) => (items.includes('*') ? '*' : items.join(',')));

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const dayOfMonth = fc.oneof(
  list(range(1, 31)),
  fc.constantFrom('L', 'LW'),
  fc.integer({ min: 1, max: 31 }).map((d) => `${d}W`),
);
const dayOfWeek = fc.oneof(
  list(range(1, 7)),
  fc.constantFrom(...WEEKDAYS),
  fc.constant('L'),
  fc.integer({ min: 1, max: 7 }).map((d) => `${d}L`),
  fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([d, n]) => `${d}#${n}`),
  fc.tuple(fc.constantFrom(...WEEKDAYS), fc.integer({ min: 1, max: 5 })).map(([d, n]) => `${d}#${n}`),
);
const days = fc.oneof(
  dayOfMonth.map((d) => [d, '?'] as const),
  dayOfWeek.map((w) => ['?', w] as const),
);
const year = fc.oneof(fc.constant('*'), list(range(2020, 2199)));
const cron = fc
  .tuple(list(range(0, 59)), list(range(0, 23)), days, list(range(1, 12)), year)
  .map(
    ([minutes, hours, [day, weekday], month, years]) =>
      `cron(${minutes} ${hours} ${day} ${month} ${weekday} ${years})`,
  );

const FROM = new Date('2026-11-24T10:30:00Z');

describe('a cron that validates', () => {
  it('runs on the local scheduler, in any zone', () => {
    fc.assert(
      fc.property(
        cron,
        fc.constantFrom('UTC', 'Europe/Rome', 'America/New_York', 'Asia/Kolkata'),
        (expression, zone) => {
          fc.pre(scheduleProblem(expression) === undefined);
          const next = nextOccurrence(expression, FROM, FROM, zone);
          // None only when its years name no year to come, or its days never come.
          if (next === undefined)
            expect(/ \*\)$/.test(expression) ? scheduleNeverRuns(expression) : 'years').toBeDefined();
          else expect(next.getTime()).toBeGreaterThanOrEqual(FROM.getTime());
        },
      ),
      { numRuns: 100 },
    );
  });
});
