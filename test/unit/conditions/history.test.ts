import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import type { Performed } from '#shared/conditions/schema.ts';

const now = new Date('2026-03-15T12:00:00Z');

const profile = {
  events: {
    // daily buckets: 2 today, 1 five days ago, 3 twenty days ago
    'Order Completed': {
      count: 6,
      first: '2026-02-23T10:00:00Z',
      last: '2026-03-15T09:00:00Z',
      days: { '2026-03-15': 2, '2026-03-10': 1, '2026-02-23': 3, 'not-a-day': 50 },
    },
    // no buckets, all occurrences recent
    'App Opened': { count: 4, first: '2026-03-14T08:00:00Z', last: '2026-03-15T08:00:00Z' },
    // no buckets, first long ago, last recent
    'Page Viewed': { count: 9, first: '2025-01-01T00:00:00Z', last: '2026-03-14T00:00:00Z' },
    // no buckets, all long ago
    'Signed Up': { count: 1, first: '2025-01-01T00:00:00Z', last: '2025-01-01T00:00:00Z' },
    // malformed counter
    Broken: { count: 'many' },
  },
};

type Case = [string, Performed, boolean];

const cases: Case[] = [
  ['performed at all', { performed: 'Order Completed' }, true],
  ['never performed', { performed: 'Cart Updated' }, false],
  ['at least, all time', { performed: 'Order Completed', atLeast: 6 }, true],
  ['at least, all time, too many', { performed: 'Order Completed', atLeast: 7 }, false],
  ['at most, all time', { performed: 'Order Completed', atMost: 5 }, false],
  ['at most 0 on a missing counter', { performed: 'Cart Updated', atMost: 0 }, true],
  ['at least 0 on a missing counter', { performed: 'Cart Updated', atLeast: 0 }, true],
  ['between', { performed: 'Order Completed', atLeast: 2, atMost: 6 }, true],
  ['buckets: today only', { performed: 'Order Completed', within: 'PT1H', atLeast: 2, atMost: 2 }, true],
  ['buckets: last 7 days', { performed: 'Order Completed', within: 'P7D', atLeast: 3, atMost: 3 }, true],
  [
    'buckets: window starts on a bucket day',
    { performed: 'Order Completed', within: 'P5D', atLeast: 3 },
    true,
  ],
  ['buckets: last 30 days', { performed: 'Order Completed', within: 'P30D', atLeast: 6, atMost: 6 }, true],
  ['buckets: at most in window', { performed: 'Order Completed', within: 'P7D', atMost: 2 }, false],
  [
    'no buckets, first inside: everything counts',
    { performed: 'App Opened', within: 'P2D', atLeast: 4 },
    true,
  ],
  ['no buckets, last outside: nothing counts', { performed: 'Signed Up', within: 'P30D' }, false],
  ['no buckets, last outside: at most 0', { performed: 'Signed Up', within: 'P30D', atMost: 0 }, true],
  ['no buckets, straddling: one known', { performed: 'Page Viewed', within: 'P7D' }, true],
  [
    'no buckets, straddling: no more than known',
    { performed: 'Page Viewed', within: 'P7D', atLeast: 2 },
    false,
  ],
  ['malformed counter counts as never', { performed: 'Broken', atMost: 0 }, true],
  ['prototype names are not events', { performed: 'constructor' }, false],
];

describe('performed', () => {
  it.each(cases)('%s', (_name, condition, expected) => {
    // act / assert
    expect(evaluateCondition(condition, { profile, now })).toBe(expected);
  });

  it.each([undefined, null, 'text', { events: null }, { events: [] }])('sees no history in %j', (data) => {
    expect(evaluateCondition({ performed: 'Order Completed' }, { profile: data, now })).toBe(false);
    expect(evaluateCondition({ performed: 'Order Completed', atMost: 0 }, { profile: data, now })).toBe(true);
  });

  it('combines with comparisons', () => {
    // arrange
    const condition = {
      all: [
        { performed: 'Order Completed', within: 'P7D' },
        { not: { performed: 'Signed Up', within: 'P7D' } },
      ],
    };
    // act / assert
    expect(evaluateCondition(condition, { profile, now })).toBe(true);
  });
});

describe('a day of a performed window is a UTC day, whatever the customer zone', () => {
  // One order on Saturday 28 February at 20:00 in Los Angeles (UTC-8): Sunday 1 March 04:00 UTC.
  const events = {
    'Order Completed': {
      count: 1,
      first: '2026-03-01T04:00:00Z',
      last: '2026-03-01T04:00:00Z',
      days: { '2026-03-01': 1 },
    },
  };
  const oneDay: Performed = { performed: 'Order Completed', within: 'P1D' };

  it.each([
    // Monday 2 March 07:30 UTC is Sunday 1 March 23:30 in Los Angeles: the window is the UTC days 1 and 2 March
    ['2026-03-02T07:30:00Z', true],
    // Monday 2 March 23:59 UTC: still the UTC day after the order's, 43 hours after it
    ['2026-03-02T23:59:00Z', true],
    // Tuesday 3 March 00:00 UTC (16:00 on Monday in Los Angeles): the order's UTC day has left the window
    ['2026-03-03T00:00:00Z', false],
  ])('at %s the order counts: %s', (at, expected) => {
    const when = new Date(at);
    for (const timezone of ['America/Los_Angeles', 'Pacific/Kiritimati', undefined]) {
      const customer = { events, ...(timezone === undefined ? {} : { timezone }) };
      expect(evaluateCondition(oneDay, { profile: customer, now: when }), String(timezone)).toBe(expected);
    }
  });
});
