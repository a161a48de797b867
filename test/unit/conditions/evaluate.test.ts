import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import type { Condition } from '#shared/conditions/schema.ts';

const now = new Date('2026-03-15T12:00:00Z');
const ctx = {
  now,
  profile: {
    traits: {
      plan: 'pro',
      age: 34,
      vip: true,
      nickname: null,
      tags: ['beta', 'newsletter', 7],
      signedUpAt: '2026-03-10T08:00:00Z',
      renewsAt: '2026-03-20T00:00:00+01:00',
      lastSeenMillis: Date.parse('2026-03-15T11:00:00Z'),
      birthday: 'not a date',
    },
    events: { 'Order Completed': { count: 3, first: '2026-01-01T00:00:00Z', last: '2026-03-01T00:00:00Z' } },
  },
  event: { properties: { total: 42.5, currency: 'EUR', coupon: '' } },
  trigger: { properties: { cartId: 'c-1', items: [{ sku: 'A1' }] } },
};

type Case = [string, Condition, boolean];

const cases: Case[] = [
  // eq / ne
  ['eq string', { path: 'profile.traits.plan', eq: 'pro' }, true],
  ['eq string other', { path: 'profile.traits.plan', eq: 'free' }, false],
  ['eq number', { path: 'event.properties.total', eq: 42.5 }, true],
  ['eq boolean', { path: 'profile.traits.vip', eq: true }, true],
  ['eq null on null', { path: 'profile.traits.nickname', eq: null }, true],
  ['eq null on missing', { path: 'profile.traits.missing', eq: null }, false],
  ['eq on missing', { path: 'profile.traits.missing', eq: 'pro' }, false],
  ['eq wrong type', { path: 'profile.traits.age', eq: '34' }, false],
  ['eq on an array', { path: 'profile.traits.tags', eq: 'beta' }, false],
  ['ne other value', { path: 'profile.traits.plan', ne: 'free' }, true],
  ['ne same value', { path: 'profile.traits.plan', ne: 'pro' }, false],
  ['ne on missing', { path: 'profile.traits.missing', ne: 'pro' }, true],
  ['ne wrong type', { path: 'profile.traits.age', ne: '34' }, true],
  ['ne null on null', { path: 'profile.traits.nickname', ne: null }, false],
  // order
  ['gt number', { path: 'event.properties.total', gt: 42 }, true],
  ['gt number equal', { path: 'event.properties.total', gt: 42.5 }, false],
  ['gte number equal', { path: 'event.properties.total', gte: 42.5 }, true],
  ['lt number', { path: 'profile.traits.age', lt: 35 }, true],
  ['lte number', { path: 'profile.traits.age', lte: 33 }, false],
  ['gt string', { path: 'profile.traits.plan', gt: 'basic' }, true],
  ['lt string', { path: 'profile.traits.plan', lt: 'basic' }, false],
  ['gte ISO timestamp text', { path: 'profile.traits.signedUpAt', gte: '2026-03-01' }, true],
  // dates compare as instants, whatever the offset, milliseconds or time written
  ['lt date, another offset', { path: 'profile.traits.renewsAt', lt: '2026-03-19T23:30:00Z' }, true],
  ['gt date, another offset', { path: 'profile.traits.renewsAt', gt: '2026-03-19T23:30:00Z' }, false],
  [
    'gte the same instant in milliseconds',
    { path: 'profile.traits.renewsAt', gte: '2026-03-19T23:00:00.000Z' },
    true,
  ],
  [
    'lte the same instant in another zone',
    { path: 'profile.traits.renewsAt', lte: '2026-03-19T18:00:00-05:00' },
    true,
  ],
  ['gt date against text that is no date', { path: 'profile.traits.birthday', gt: '2026-01-01' }, false],
  ['gt on missing', { path: 'profile.traits.missing', gt: 0 }, false],
  ['lt on missing', { path: 'profile.traits.missing', lt: 0 }, false],
  ['gt number against text', { path: 'profile.traits.plan', gt: 0 }, false],
  ['gt text against number', { path: 'profile.traits.age', gt: '0' }, false],
  ['gt on boolean', { path: 'profile.traits.vip', gt: 0 }, false],
  ['gt on null', { path: 'profile.traits.nickname', lt: 1 }, false],
  // in
  ['in hit', { path: 'event.properties.currency', in: ['USD', 'EUR'] }, true],
  ['in miss', { path: 'event.properties.currency', in: ['USD', 'GBP'] }, false],
  ['in typed', { path: 'profile.traits.age', in: ['34', 35] }, false],
  ['in null', { path: 'profile.traits.nickname', in: [null] }, true],
  ['in on missing', { path: 'profile.traits.missing', in: ['x', null] }, false],
  // contains
  ['contains text', { path: 'profile.traits.plan', contains: 'r' }, true],
  ['contains empty text', { path: 'event.properties.coupon', contains: '' }, true],
  ['contains text miss', { path: 'profile.traits.plan', contains: 'x' }, false],
  ['contains in array', { path: 'profile.traits.tags', contains: 'beta' }, true],
  ['contains number in array', { path: 'profile.traits.tags', contains: 7 }, true],
  ['contains typed in array', { path: 'profile.traits.tags', contains: '7' }, false],
  ['contains substring of an element', { path: 'profile.traits.tags', contains: 'bet' }, false],
  ['contains number in text', { path: 'profile.traits.plan', contains: 1 }, false],
  ['contains on number', { path: 'profile.traits.age', contains: 3 }, false],
  ['contains on missing', { path: 'profile.traits.missing', contains: 'x' }, false],
  // startsWith
  ['startsWith hit', { path: 'trigger.properties.cartId', startsWith: 'c-' }, true],
  ['startsWith empty', { path: 'trigger.properties.cartId', startsWith: '' }, true],
  ['startsWith miss', { path: 'trigger.properties.cartId', startsWith: 'C-' }, false],
  ['startsWith on number', { path: 'profile.traits.age', startsWith: '3' }, false],
  ['startsWith on missing', { path: 'trigger.properties.missing', startsWith: '' }, false],
  // exists
  ['exists true on value', { path: 'event.properties.coupon', exists: true }, true],
  ['exists true on null', { path: 'profile.traits.nickname', exists: true }, false],
  ['exists true on missing', { path: 'profile.traits.missing', exists: true }, false],
  ['exists false on null', { path: 'profile.traits.nickname', exists: false }, true],
  ['exists false on missing', { path: 'profile.traits.missing', exists: false }, true],
  ['exists false on value', { path: 'profile.traits.age', exists: false }, false],
  // segments with spaces (event names)
  ['counter by path', { path: 'profile.events.Order Completed.count', gte: 2 }, true],
  ['counter by path, missing event', { path: 'profile.events.Cart Viewed.count', exists: false }, true],
  // arrays by index
  ['index path', { path: 'trigger.properties.items.0.sku', eq: 'A1' }, true],
  ['index past the end', { path: 'trigger.properties.items.1.sku', exists: false }, true],
  // relative dates
  ['within hit', { path: 'profile.traits.signedUpAt', within: 'P7D' }, true],
  ['within miss', { path: 'profile.traits.signedUpAt', within: 'P3D' }, false],
  ['within future', { path: 'profile.traits.renewsAt', within: 'P30D' }, false],
  ['within epoch millis', { path: 'profile.traits.lastSeenMillis', within: 'PT2H' }, true],
  ['within epoch millis miss', { path: 'profile.traits.lastSeenMillis', within: 'PT30M' }, false],
  ['olderThan hit', { path: 'profile.traits.signedUpAt', olderThan: 'P3D' }, true],
  ['olderThan miss', { path: 'profile.traits.signedUpAt', olderThan: 'P7D' }, false],
  ['olderThan negative duration', { path: 'profile.traits.renewsAt', olderThan: '-P30D' }, true],
  ['withinNext hit', { path: 'profile.traits.renewsAt', withinNext: 'P5D' }, true],
  ['withinNext miss', { path: 'profile.traits.renewsAt', withinNext: 'P4D' }, false],
  ['withinNext past', { path: 'profile.traits.signedUpAt', withinNext: 'P30D' }, false],
  ['within on missing', { path: 'profile.traits.missing', within: 'P1Y' }, false],
  ['olderThan on missing', { path: 'profile.traits.missing', olderThan: 'P1D' }, false],
  ['within on non-date text', { path: 'profile.traits.birthday', within: 'P1Y' }, false],
  ['within on boolean', { path: 'profile.traits.vip', within: 'P1Y' }, false],
  // nesting
  [
    'all true',
    {
      all: [
        { path: 'profile.traits.plan', eq: 'pro' },
        { path: 'event.properties.total', gte: 20 },
      ],
    },
    true,
  ],
  [
    'all with one false',
    {
      all: [
        { path: 'profile.traits.plan', eq: 'pro' },
        { path: 'profile.traits.age', gt: 50 },
      ],
    },
    false,
  ],
  [
    'any with one true',
    {
      any: [
        { path: 'profile.traits.missing', eq: 1 },
        { path: 'profile.traits.vip', eq: true },
      ],
    },
    true,
  ],
  [
    'any all false',
    {
      any: [
        { path: 'profile.traits.missing', eq: 1 },
        { path: 'profile.traits.vip', eq: false },
      ],
    },
    false,
  ],
  ['not', { not: { path: 'profile.traits.plan', eq: 'pro' } }, false],
  ['not of missing eq', { not: { path: 'profile.traits.missing', eq: 'pro' } }, true],
  [
    'deep nesting',
    {
      all: [
        {
          not: {
            any: [
              { path: 'event.properties.currency', eq: 'USD' },
              { path: 'profile.traits.vip', eq: false },
            ],
          },
        },
        { any: [{ path: 'trigger.properties.cartId', startsWith: 'c-' }] },
      ],
    },
    true,
  ],
];

describe('evaluateCondition', () => {
  it.each(cases)('%s', (_name, condition, expected) => {
    // act / assert
    expect(evaluateCondition(condition, ctx)).toBe(expected);
  });

  it('sees nothing when the context carries no data', () => {
    // arrange
    const empty = { now };
    // act / assert
    expect(evaluateCondition({ path: 'event.properties.total', gt: 0 }, empty)).toBe(false);
    expect(evaluateCondition({ path: 'event.properties.total', ne: 0 }, empty)).toBe(true);
    expect(evaluateCondition({ path: 'event.properties.total', exists: false }, empty)).toBe(true);
  });

  it('answers false for relative dates when now is not a valid date', () => {
    const invalid = { ...ctx, now: new Date(Number.NaN) };
    expect(evaluateCondition({ path: 'profile.traits.signedUpAt', within: 'P7D' }, invalid)).toBe(false);
    expect(evaluateCondition({ path: 'profile.traits.signedUpAt', olderThan: 'P7D' }, invalid)).toBe(false);
  });

  it('counts a month as a calendar month', () => {
    // arrange: 31 March minus one month is 28 February (2026 is not a leap year)
    const endOfMarch = { now: new Date('2026-03-31T00:00:00Z'), event: { at: '2026-02-28T00:00:00Z' } };
    // act / assert
    expect(evaluateCondition({ path: 'event.at', within: 'P1M' }, endOfMarch)).toBe(true);
    expect(evaluateCondition({ path: 'event.at', olderThan: 'P1M' }, endOfMarch)).toBe(false);
  });
});
