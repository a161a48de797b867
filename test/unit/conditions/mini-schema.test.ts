import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mini from '#shared/conditions/mini-schema.ts';
import * as language from '#shared/conditions/schema.ts';
import { schemaStructure } from '../../support/schema-structure.ts';

/**
 * The functions check conditions with the `zod/mini` tree; the language
 * declares them in classic zod. Both must give the same verdict and the same
 * issues for any value, valid or not.
 */

type Parser = {
  safeParse(value: unknown): { success: boolean; data?: unknown; error?: { issues: unknown } };
};

function verdict(schema: Parser, value: unknown) {
  const result = schema.safeParse(value);
  return result.success ? { data: result.data } : { issues: result.error?.issues };
}

const paths = fc.constantFrom(
  'profile.traits.plan',
  'event.properties.total',
  'profile.events.Order Completed.count',
  'trigger.x',
  "profile.traits['utm.source']",
  'profile.events["order.completed"].count',
  "profile.traits['utm.source'",
  'context.orderId',
  'traits.plan',
  'profile.',
  '',
);
const durations = fc.constantFrom('P7D', 'PT1H', '-P3D', 'P', 'x', 'P1DT12H', 'P300000Y', '-P300000Y');
const scalars = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(null));
const junk = fc.oneof(scalars, fc.constant(undefined), fc.constant([]), fc.constant({}), durations);

const comparison = fc
  .tuple(paths, fc.constantFrom(...language.COMPARISON_OPERATORS, 'near'), fc.oneof(junk, fc.array(scalars)))
  .map(([path, op, value]) => ({ path, [op]: value }));

const performed = fc.record(
  {
    performed: fc.oneof(fc.constant('Order Completed'), fc.constant(''), fc.integer()),
    atLeast: fc.oneof(fc.nat(3), fc.constant(-1), fc.constant(1.5)),
    atMost: fc.nat(3),
    within: durations,
    extra: fc.constant(true),
  },
  { requiredKeys: ['performed'] },
);

const { condition } = fc.letrec((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    performed,
    fc.record({ all: fc.array(tie('condition'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('condition'), { maxLength: 3 }) }),
    fc.record({ not: tie('condition') }),
    junk,
  ),
}));

describe('the zod/mini condition tree', () => {
  it('has the language’s operators in the same order', () => {
    expect(mini.COMPARISON_OPERATORS).toEqual(language.COMPARISON_OPERATORS);
  });

  it.each([
    ['condition', language.Condition, mini.Condition],
    ['path', language.ConditionPath, mini.ConditionPath],
    ['duration', language.IsoDuration, mini.IsoDuration],
    ['offset', language.OffsetDuration, mini.OffsetDuration],
  ] as const)('has the language’s structure for a %s', (_name, classic, twin) => {
    expect(schemaStructure(twin)).toEqual(schemaStructure(classic));
  });

  it('accepts and refuses every condition as the language does, with the same issues', () => {
    fc.assert(
      fc.property(condition, (value) => {
        expect(verdict(mini.Condition, value)).toEqual(verdict(language.Condition, value));
      }),
      { numRuns: 1000 },
    );
  });

  it.each(['P7D', 'PT1H', '-P3D', 'P', '', 'x', 7, null])(
    'reads the duration %j as the language does',
    (value) => {
      expect(verdict(mini.IsoDuration, value)).toEqual(verdict(language.IsoDuration, value));
      expect(verdict(mini.OffsetDuration, value)).toEqual(verdict(language.OffsetDuration, value));
    },
  );

  it.each(['profile.traits.plan', 'context.x', 'traits.plan', 'profile.', 3])(
    'reads the path %j as the language does',
    (value) => {
      expect(verdict(mini.ConditionPath, value)).toEqual(verdict(language.ConditionPath, value));
    },
  );
});
