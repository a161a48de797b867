import { describe, expect, it } from 'vitest';
import { renderChoiceRule } from '#shared/conditions/choice.ts';

const v = '$.event.properties.total';
const present = { Variable: v, IsPresent: true };

describe('renderChoiceRule', () => {
  it.each([
    [
      { path: 'event.properties.total', eq: 3 },
      { And: [present, { Variable: v, IsNumeric: true }, { Variable: v, NumericEquals: 3 }] },
    ],
    [
      { path: 'event.properties.total', eq: 'x' },
      { And: [present, { Variable: v, IsString: true }, { Variable: v, StringEquals: 'x' }] },
    ],
    [
      { path: 'event.properties.total', eq: false },
      { And: [present, { Variable: v, IsBoolean: true }, { Variable: v, BooleanEquals: false }] },
    ],
    [{ path: 'event.properties.total', eq: null }, { And: [present, { Variable: v, IsNull: true }] }],
    [
      { path: 'event.properties.total', ne: null },
      { Not: { And: [present, { Variable: v, IsNull: true }] } },
    ],
    [
      { path: 'event.properties.total', gt: 1 },
      { And: [present, { Variable: v, IsNumeric: true }, { Variable: v, NumericGreaterThan: 1 }] },
    ],
    [
      { path: 'event.properties.total', gte: 1 },
      { And: [present, { Variable: v, IsNumeric: true }, { Variable: v, NumericGreaterThanEquals: 1 }] },
    ],
    [
      { path: 'event.properties.total', lt: 'm' },
      { And: [present, { Variable: v, IsString: true }, { Variable: v, StringLessThan: 'm' }] },
    ],
    [
      { path: 'event.properties.total', lte: 'm' },
      { And: [present, { Variable: v, IsString: true }, { Variable: v, StringLessThanEquals: 'm' }] },
    ],
    [{ path: 'event.properties.total', in: [null] }, { And: [present, { Variable: v, IsNull: true }] }],
    [
      { path: 'event.properties.total', startsWith: 'ab' },
      {
        And: [
          present,
          { Variable: v, IsString: true },
          { Variable: v, StringGreaterThanEquals: 'ab' },
          { Variable: v, StringLessThan: 'ac' },
        ],
      },
    ],
    [
      { path: 'event.properties.total', startsWith: 'a\uffff' },
      {
        And: [
          present,
          { Variable: v, IsString: true },
          { Variable: v, StringGreaterThanEquals: 'a\uffff' },
          { Variable: v, StringLessThan: 'b' },
        ],
      },
    ],
    [{ path: 'event.properties.total', startsWith: '' }, { And: [present, { Variable: v, IsString: true }] }],
    [
      { path: 'event.properties.total', exists: true },
      { And: [present, { Not: { Variable: v, IsNull: true } }] },
    ],
  ])('renders %j', (condition, expected) => {
    // act / assert
    expect(renderChoiceRule(condition)).toStrictEqual(expected);
  });

  it('renders in as Or of guarded equalities', () => {
    expect(renderChoiceRule({ path: 'trigger.x', in: ['a', 1] })).toStrictEqual({
      Or: [
        {
          And: [
            { Variable: '$.trigger.x', IsPresent: true },
            { Variable: '$.trigger.x', IsString: true },
            { Variable: '$.trigger.x', StringEquals: 'a' },
          ],
        },
        {
          And: [
            { Variable: '$.trigger.x', IsPresent: true },
            { Variable: '$.trigger.x', IsNumeric: true },
            { Variable: '$.trigger.x', NumericEquals: 1 },
          ],
        },
      ],
    });
  });

  it('renders all/any/not and collapses single-child groups', () => {
    // arrange
    const condition = {
      all: [{ any: [{ path: 'event.a', exists: false }] }, { not: { path: 'trigger.b', exists: true } }],
    };
    const existsA = {
      And: [{ Variable: '$.event.a', IsPresent: true }, { Not: { Variable: '$.event.a', IsNull: true } }],
    };
    const existsB = {
      And: [{ Variable: '$.trigger.b', IsPresent: true }, { Not: { Variable: '$.trigger.b', IsNull: true } }],
    };
    // act / assert
    expect(renderChoiceRule(condition)).toStrictEqual({ And: [{ Not: existsA }, { Not: existsB }] });
  });

  it('reads from the roots given', () => {
    const rule = renderChoiceRule(
      { path: 'trigger.properties.cartId', eq: null },
      { trigger: '$.enrollment.trigger', event: '$.last' },
    );
    expect(rule).toStrictEqual({
      And: [
        { Variable: '$.enrollment.trigger.properties.cartId', IsPresent: true },
        { Variable: '$.enrollment.trigger.properties.cartId', IsNull: true },
      ],
    });
  });

  it.each([
    { path: 'profile.traits.plan', eq: 'pro' },
    { performed: 'Order Completed' },
    { path: 'event.at', within: 'P1D' },
    { path: 'event.tags', contains: 'x' },
    {
      all: [
        { path: 'event.a', eq: 1 },
        { path: 'event.items.0', eq: 1 },
      ],
    },
  ])('refuses %j', (condition) => {
    expect(() => renderChoiceRule(condition)).toThrow(/cannot run as a Choice rule/);
  });
});
