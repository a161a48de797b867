import '../support/polyfills.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChoiceRule, renderChoiceRule } from '#shared/conditions/choice.ts';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import { canRenderAsChoice } from '#shared/conditions/inspect.ts';
import type { Condition } from '#shared/conditions/schema.ts';
import { validateAsl } from '../support/asl-validate.ts';
import { dataOf, pathOf, renderableComparison, treeOf } from '../support/condition-arbitraries.ts';

/** `{ Check: Choice[rule → Yes, …], Default: No }` with Succeed ends. */
function machineOf(rules: ChoiceRule[]): StateMachineDefinition {
  return {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Choice', Choices: rules.map((rule) => ({ ...rule, Next: 'Yes' })), Default: 'No' },
      Yes: { Type: 'Succeed' },
      No: { Type: 'Succeed' },
    },
  };
}

/**
 * Rendered rules are validated together, one Choice state holding them all:
 * one asl-validator call for the lot (its schema check is the costly part).
 */
function expectValidAsl(rules: ChoiceRule[]): void {
  const validation = validateAsl(machineOf(rules));
  expect(validation.errorsText).toBe('');
  expect(validation.isValid).toBe(true);
}

/** Runs the machine offline and reports whether it reached Yes. */
async function pathTaken(
  definition: StateMachineDefinition,
  input: { trigger: unknown; event: unknown; context?: unknown },
) {
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  const execution = machine.run(JSON.parse(JSON.stringify(input)));
  const entered: string[] = [];
  for await (const log of execution.eventLogs) {
    if (log.type === 'StateEntered') entered.push(log.state.name);
  }
  await execution.result;
  return entered.includes('Yes');
}

/** The offline run of the rendered rule takes the branch the evaluator predicts; returns the rule. */
async function expectParity(
  condition: Condition,
  trigger: unknown,
  event: unknown,
  context?: unknown,
): Promise<ChoiceRule> {
  // arrange
  const rule = renderChoiceRule(condition);
  // act
  const taken = await pathTaken(machineOf([rule]), { trigger, event, context });
  // assert
  expect(taken).toBe(evaluateCondition(condition, { trigger, event, context, now: new Date(0) }));
  return rule;
}

const event = {
  properties: {
    total: 42.5,
    count: 3,
    currency: 'EUR',
    vip: true,
    note: null,
    empty: '',
    glob: 'a?c*d\\e',
    multiline: 'first\nsecond',
    tags: ['x', 'y'],
    nested: { deep: 'yes' },
  },
};
const trigger = { properties: { cartId: 'c-1', total: '42.5' } };

const table: Array<[string, Condition]> = [
  ['eq number', { path: 'event.properties.total', eq: 42.5 }],
  ['eq number on text', { path: 'trigger.properties.total', eq: 42.5 }],
  ['eq text', { path: 'event.properties.currency', eq: 'EUR' }],
  ['eq text on number', { path: 'event.properties.total', eq: '42.5' }],
  ['eq boolean', { path: 'event.properties.vip', eq: true }],
  ['eq null on null', { path: 'event.properties.note', eq: null }],
  ['eq null on missing', { path: 'event.properties.missing', eq: null }],
  ['eq on missing', { path: 'event.properties.missing', eq: 'EUR' }],
  ['eq on missing parent', { path: 'event.nothing.here', eq: 1 }],
  ['eq through a scalar', { path: 'event.properties.currency.code', eq: 'EUR' }],
  ['eq through an array', { path: 'event.properties.tags.x', exists: true }],
  ['eq on an object', { path: 'event.properties.nested', eq: 'yes' }],
  ['eq on an array', { path: 'event.properties.tags', eq: 'x' }],
  ['ne on missing', { path: 'event.properties.missing', ne: 'x' }],
  ['ne on null', { path: 'event.properties.note', ne: null }],
  ['ne on other type', { path: 'event.properties.total', ne: 'x' }],
  ['in mixed', { path: 'event.properties.count', in: ['3', 3] }],
  ['in on missing', { path: 'event.properties.missing', in: [null, 'x'] }],
  ['gt number', { path: 'event.properties.total', gt: 42 }],
  ['gte on text', { path: 'trigger.properties.total', gte: 1 }],
  ['lt text', { path: 'event.properties.currency', lt: 'USD' }],
  ['lte text on number', { path: 'event.properties.total', lte: 'z' }],
  ['gt on missing', { path: 'event.properties.missing', gt: 0 }],
  ['gt on boolean', { path: 'event.properties.vip', gt: 0 }],
  ['startsWith', { path: 'trigger.properties.cartId', startsWith: 'c-' }],
  ['startsWith a literal ?', { path: 'event.properties.glob', startsWith: 'a?c*d\\' }],
  ['startsWith ? is not a wildcard', { path: 'event.properties.glob', startsWith: 'a?c*d\\f' }],
  ['startsWith * is not a wildcard', { path: 'event.properties.glob', startsWith: 'a*' }],
  ['startsWith across a line break', { path: 'event.properties.multiline', startsWith: 'fir' }],
  ['startsWith empty', { path: 'event.properties.empty', startsWith: '' }],
  ['startsWith on number', { path: 'event.properties.total', startsWith: '4' }],
  ['startsWith on missing', { path: 'event.properties.missing', startsWith: '' }],
  ['exists on empty text', { path: 'event.properties.empty', exists: true }],
  ['exists on null', { path: 'event.properties.note', exists: true }],
  ['not exists on missing', { path: 'event.properties.missing', exists: false }],
  ['not exists on value', { path: 'event.properties.vip', exists: false }],
  [
    'nested tree',
    {
      all: [
        {
          any: [
            { path: 'event.properties.currency', in: ['USD', 'EUR'] },
            { path: 'event.properties.vip', eq: false },
          ],
        },
        { not: { path: 'trigger.properties.cartId', startsWith: 'x' } },
        { path: 'event.properties.nested.deep', eq: 'yes' },
      ],
    },
  ],
];

describe('Choice rules take the evaluator’s decisions', () => {
  it.each(table)('%s', async (_name, condition) => {
    await expectParity(condition, trigger, event);
  });

  it('renders valid ASL for every table case', () => {
    expectValidAsl(table.map(([, condition]) => renderChoiceRule(condition)));
  });

  it('on generated conditions and data, with valid ASL', async () => {
    // arrange
    const keys = ['a', 'b', 'c'];
    const condition = treeOf(renderableComparison(pathOf(['trigger', 'event'], keys, 2)), 2);
    const data = dataOf(keys, 2);
    const rendered: ChoiceRule[] = [];
    // act / assert
    await fc.assert(
      fc.asyncProperty(condition, data, data, async (c, t, e) => {
        rendered.push(await expectParity(c, t, e));
      }),
      { numRuns: 100 },
    );
    expectValidAsl(rendered);
  });
});

describe('Choice rules on names in any script', () => {
  // Step Functions' JsonPath takes a name of any script in brackets; ingest keeps names in NFC.
  const names = { prénom: 'Ana', 名前: 'Yuki', straße: 'Hauptstraße 1', Ünïcode_2: 3 };
  const table: Array<[string, Condition]> = [
    ['a Latin name with an accent', { path: 'event.properties.prénom', eq: 'Ana' }],
    ['a Latin name, not matching', { path: 'event.properties.prénom', eq: 'Bea' }],
    ['a CJK name', { path: 'trigger.properties.名前', startsWith: 'Yu' }],
    ['an ß', { path: 'event.properties.straße', exists: true }],
    ['a missing name', { path: 'event.properties.größe', exists: true }],
    ['letters and digits', { path: 'event.properties.Ünïcode_2', gte: 3 }],
  ];

  it.each(table)('%s runs as one Choice with the evaluator’s decision', async (_name, condition) => {
    expect(canRenderAsChoice(condition)).toBe(true);
    await expectParity(condition, { properties: names }, { properties: names });
  });

  it('renders valid ASL', () => {
    expectValidAsl(table.map(([, condition]) => renderChoiceRule(condition)));
  });
});

describe('Choice rules on the journey context take the evaluator’s decisions', () => {
  const contexts = [
    { score: 10, tier: 'gold', note: null },
    { score: 3, tier: 'standard', note: 'x' },
    { score: null, tier: null, note: null },
    { score: '10', tier: 7, note: false },
  ];
  const conditions: Condition[] = [
    { path: 'context.score', gte: 9 },
    { path: 'context.score', lt: 5 },
    { path: 'context.tier', eq: 'gold' },
    { path: 'context.tier', startsWith: 'st' },
    { path: 'context.note', exists: true },
    { path: 'context.note', exists: false },
    { not: { path: 'context.score', in: [3, 10] } },
  ];
  it.each(
    conditions.flatMap((c) => contexts.map((x) => [JSON.stringify(c), JSON.stringify(x), c, x] as const)),
  )('%s on %s', async (_c, _x, condition, context) => {
    await expectParity(condition, {}, {}, context);
  });
});
