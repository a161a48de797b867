import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import type { Condition } from '#shared/conditions/schema.ts';
import { customerInstant } from '#shared/time.ts';

/**
 * Conditions read a date in customer data by the rule `untilDate` and the
 * template `date` filters follow (`customerInstant`): no offset is the
 * customer's local time, a number is epoch milliseconds, other text is no date.
 */

const now = new Date('2026-03-20T21:30:00Z'); // 17:30 in New York (EDT), 06:30 next day in Tokyo

type Case = [string, { timezone?: string; value: unknown }, Condition, boolean, string?];

const cases: Case[] = [
  // 18:00 in New York is 22:00Z: within the next hour (read as UTC it was 3½ hours ago).
  [
    'withinNext, no offset, customer zone',
    { timezone: 'America/New_York', value: '2026-03-20T18:00:00' },
    { path: 'profile.traits.at', withinNext: 'PT1H' },
    true,
  ],
  [
    'within, no offset, customer zone',
    { timezone: 'America/New_York', value: '2026-03-20T18:00:00' },
    { path: 'profile.traits.at', within: 'PT4H' },
    false,
  ],
  // 20:00 on the 19th in Tokyo is 11:00Z on the 19th: more than a day before now.
  [
    'olderThan, no offset, customer zone',
    { timezone: 'Asia/Tokyo', value: '2026-03-19T20:00:00' },
    { path: 'profile.traits.at', olderThan: 'P1DT10H' },
    true,
  ],
  // A day alone starts at the customer's midnight: 21 March in Tokyo began at 15:00Z on the 20th.
  [
    'within, a day alone, customer zone',
    { timezone: 'Asia/Tokyo', value: '2026-03-21' },
    { path: 'profile.traits.at', within: 'PT7H' },
    true,
  ],
  // Numbers are epoch milliseconds, as untilDate reads them.
  [
    'withinNext, epoch milliseconds',
    { value: Date.parse('2026-03-20T22:00:00Z') },
    { path: 'profile.traits.at', withinNext: 'PT1H' },
    true,
  ],
  [
    'within, epoch seconds are not read as seconds',
    { value: Date.parse('2026-03-20T21:00:00Z') / 1000 },
    { path: 'profile.traits.at', within: 'PT1H' },
    false,
  ],
  // Order comparisons with a date read both sides by the same rule.
  [
    'lt a day, value with an offset',
    { timezone: 'America/New_York', value: '2026-03-19T22:00:00-04:00' },
    { path: 'profile.traits.at', lt: '2026-03-20' },
    true,
  ],
  [
    'gte a day, the customer’s midnight',
    { timezone: 'America/New_York', value: '2026-03-20T02:00:00Z' },
    { path: 'profile.traits.at', gte: '2026-03-20' },
    false,
  ],
  [
    'gt a day, epoch milliseconds',
    { timezone: 'UTC', value: Date.parse('2026-03-20T09:00:00Z') },
    { path: 'profile.traits.at', gt: '2026-03-20' },
    true,
  ],
  [
    'lte, both without offset, customer zone',
    { timezone: 'Asia/Tokyo', value: '2026-03-21T06:00:00' },
    { path: 'profile.traits.at', lte: '2026-03-21T05:59:59Z' },
    true,
  ],
  // Not a date: never a guess.
  [
    'within, US-style text',
    { timezone: 'America/New_York', value: '03/20/2026' },
    { path: 'profile.traits.at', within: 'P1Y' },
    false,
  ],
  [
    'lt, US-style text',
    { timezone: 'America/New_York', value: '03/20/2026' },
    { path: 'profile.traits.at', lt: '2030-01-01' },
    false,
  ],
  // A customer without a zone (or an invalid one): the journey's default.
  [
    'no zone of their own: the default',
    { value: '2026-03-20T18:00:00' },
    { path: 'profile.traits.at', withinNext: 'PT1H' },
    true,
    'America/New_York',
  ],
  [
    'invalid zone of their own: the default',
    { timezone: 'Eastern', value: '2026-03-20T18:00:00' },
    { path: 'profile.traits.at', withinNext: 'PT1H' },
    true,
    'America/New_York',
  ],
  [
    'no zone and no default: UTC',
    { value: '2026-03-20T21:00:00' },
    { path: 'profile.traits.at', within: 'PT1H' },
    true,
  ],
];

describe('dates in customer data, in conditions', () => {
  it.each(cases)('%s', (_name, { timezone, value }, condition, expected, defaultTimezone) => {
    // arrange
    const profile = { ...(timezone === undefined ? {} : { timezone }), traits: { at: value } };
    // act
    const verdict = evaluateCondition(condition, { profile, now, defaultTimezone });
    // assert
    expect(verdict).toBe(expected);
  });

  it('places a date where untilDate and the date filters place it, in every zone', () => {
    const zones = ['America/New_York', 'Europe/Rome', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'];
    const values = [
      '2026-03-29T02:30:00',
      '2026-11-01T01:30:00',
      '2026-03-21',
      1_774_000_000_000,
      '2026-03-20T18:00:00+05:45',
    ];
    for (const zone of zones) {
      for (const value of values) {
        const at = customerInstant(value, zone)?.getTime() ?? Number.NaN;
        const profile = { timezone: zone, traits: { at: value } };
        const before = { now: new Date(at - 1), profile };
        const after = { now: new Date(at + 1), profile };
        expect(evaluateCondition({ path: 'profile.traits.at', withinNext: 'PT0.001S' }, before)).toBe(true);
        expect(evaluateCondition({ path: 'profile.traits.at', within: 'PT0.001S' }, after)).toBe(true);
        expect(evaluateCondition({ path: 'profile.traits.at', withinNext: 'PT0.001S' }, after)).toBe(false);
      }
    }
  });
});
