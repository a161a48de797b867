import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * gt, gte, lt and lte against a date compare instants; an operand written
 * like a date that is no date (a 30 February, a month 13, an hour 25) has no
 * instant, so the condition would compare the text letter by letter instead,
 * matching customers by accident. Validation names it.
 */

function problemsOf(operand: string) {
  const result = validateJourney({
    id: 'dates',
    name: 'Dates',
    trigger: { type: 'event', event: 'Trial Started' },
    start: 'route',
    steps: {
      route: {
        type: 'branch',
        branches: [{ when: { path: 'profile.traits.signupDate', gte: operand }, next: 'done' }],
        otherwise: 'done',
      },
      done: { type: 'exit' },
    },
  });
  return result.ok ? [] : result.violations.map((v) => [v.path, v.code, v.message]);
}

describe('an order comparison with a date that does not exist', () => {
  it.each([
    ['2026-02-30', 'there is no such day or time'],
    ['2026-13-01', 'there is no such day or time'],
    ['2026-02-28T25:00:00Z', 'there is no such day or time'],
  ])('is refused: %s', (operand, why) => {
    expect(problemsOf(operand)).toStrictEqual([
      [
        'steps.route.branches[0].when.gte',
        'condition.order',
        `"${operand}" is written as a date, but ${why}: gt, gte, lt and lte compare numbers (20) or ISO dates (2026-12-01).`,
      ],
    ]);
  });

  it.each([
    '2026-02-28',
    '2028-02-29',
    '2026-03-01T10:00',
    '2026-03-01 10:00:00+0200',
    '2026-03-01T24:00:00Z',
  ])('takes a date that exists: %s', (operand) => {
    expect(problemsOf(operand)).toStrictEqual([]);
  });
});
