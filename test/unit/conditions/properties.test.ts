import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderChoiceRule } from '#shared/conditions/choice.ts';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import { canRenderAsChoice } from '#shared/conditions/inspect.ts';
import { Condition } from '#shared/conditions/schema.ts';
import { anyLeaf, dataOf, pathOf, treeOf } from '../../support/condition-arbitraries.ts';

const segments = [
  'a',
  'b',
  'items',
  '0',
  '1',
  '__proto__',
  'constructor',
  'length',
  'toString',
  'first-name',
];
const eventNames = ['Order Completed', 'App Opened', 'constructor'];

const condition = treeOf(anyLeaf(pathOf(['profile', 'event', 'trigger'], segments, 3), eventNames), 3);

const isoTime = fc
  .date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const counter = fc.record(
  {
    count: fc.nat(10),
    first: isoTime,
    last: isoTime,
    days: fc.dictionary(
      isoTime.map((t) => t.slice(0, 10)),
      fc.nat(5),
    ),
  },
  { requiredKeys: ['count', 'first', 'last'] },
);
const history = fc.record({ events: fc.dictionary(fc.constantFrom(...eventNames), counter) });

const data = fc.oneof(dataOf(segments, 3), fc.jsonValue());
const context = fc.record({
  profile: fc.oneof(data, history),
  event: data,
  trigger: data,
  now: fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z') }),
});

describe('condition properties', () => {
  it('generates schema-valid conditions, but for a path through __proto__ (no data holds it)', () => {
    fc.assert(
      fc.property(condition, (c) => {
        expect(Condition.safeParse(c).success).toBe(!JSON.stringify(c).includes('__proto__'));
      }),
    );
  });

  it('never throws, whatever the data and the clock', () => {
    fc.assert(
      fc.property(condition, context, (c, ctx) => {
        expect(typeof evaluateCondition(c, ctx)).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('not(not c) equals c', () => {
    fc.assert(
      fc.property(condition, context, (c, ctx) => {
        expect(evaluateCondition({ not: { not: c } }, ctx)).toBe(evaluateCondition(c, ctx));
      }),
      { numRuns: 300 },
    );
  });

  it('all and any agree with De Morgan', () => {
    fc.assert(
      fc.property(fc.array(condition, { minLength: 1, maxLength: 3 }), context, (cs, ctx) => {
        const negated = cs.map((c): Condition => ({ not: c }));
        expect(evaluateCondition({ not: { all: cs } }, ctx)).toBe(evaluateCondition({ any: negated }, ctx));
      }),
      { numRuns: 200 },
    );
  });

  it('ne is the negation of eq, and exists false the negation of exists true', () => {
    const path = pathOf(['event'], segments, 2);
    const scalarValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(path, scalarValue, context, (p, value, ctx) => {
        expect(evaluateCondition({ path: p, ne: value }, ctx)).toBe(
          !evaluateCondition({ path: p, eq: value }, ctx),
        );
        expect(evaluateCondition({ path: p, exists: false }, ctx)).toBe(
          !evaluateCondition({ path: p, exists: true }, ctx),
        );
      }),
    );
  });

  it('renders exactly the conditions canRenderAsChoice accepts', () => {
    fc.assert(
      fc.property(condition, (c) => {
        if (canRenderAsChoice(c)) expect(() => renderChoiceRule(c)).not.toThrow();
        else expect(() => renderChoiceRule(c)).toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
