import { describe, expect, it } from 'vitest';
import { liveFields } from '#shared/ingest/live-journey.ts';
import { entryContext } from '#shared/journey/journey-context.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';

const base = {
  id: 'ctx',
  name: 'Context',
  trigger: { type: 'event', event: 'Order Completed' },
  context: {
    orderId: { type: 'string', from: 'trigger.properties.orderId' },
    score: { type: 'number', value: 0 },
  },
  start: 'set',
  steps: {
    set: { type: 'updateContext', set: { score: 5 }, next: 'done' },
    done: { type: 'exit' },
  },
} satisfies JourneyInput;

function problems(input: Record<string, unknown>): { path: string; code: string }[] {
  const result = validateJourney({ ...base, ...input });
  return result.ok ? [] : result.violations.map(({ path, code }) => ({ path, code }));
}

describe('journey context validation', () => {
  it('accepts the declarations, an update and reads in steps', () => {
    expect(problems({})).toEqual([]);
  });

  it.each([
    [
      'an undeclared variable in an update',
      { steps: { set: { type: 'updateContext', set: { other: 1 }, next: 'done' }, done: { type: 'exit' } } },
      { path: 'steps.set.set.other', code: 'context.undeclared' },
    ],
    [
      'a literal of another type',
      {
        steps: {
          set: { type: 'updateContext', set: { score: 'high' }, next: 'done' },
          done: { type: 'exit' },
        },
      },
      { path: 'steps.set.set.score', code: 'context.type' },
    ],
    [
      'a copy from a variable of another type',
      {
        steps: {
          set: { type: 'updateContext', set: { score: { from: 'context.orderId' } }, next: 'done' },
          done: { type: 'exit' },
        },
      },
      { path: 'steps.set.set.score.from', code: 'context.type' },
    ],
    [
      'an undeclared variable in a branch',
      {
        steps: {
          set: {
            type: 'branch',
            branches: [{ when: { path: 'context.nope', eq: 1 }, next: 'done' }],
            otherwise: 'done',
          },
          done: { type: 'exit' },
        },
      },
      { path: 'steps.set.branches[0].when.path', code: 'context.undeclared' },
    ],
    [
      'context read where it does not exist (the trigger filter)',
      { trigger: { type: 'event', event: 'Order Completed', where: { path: 'context.score', gt: 1 } } },
      { path: 'trigger.where.path', code: 'context.place' },
    ],
    [
      'context read by a waiting step’s filter (judged at ingest)',
      {
        steps: {
          set: {
            type: 'waitForEvent',
            event: 'x',
            where: { path: 'context.score', gt: 1 },
            timeout: 'P1D',
            onEvent: 'done',
            onTimeout: 'done',
          },
          done: { type: 'exit' },
        },
      },
      { path: 'steps.set.where.path', code: 'context.place' },
    ],
    [
      'an initial value from outside the trigger',
      { context: { orderId: { type: 'string', from: 'profile.traits.x' } } },
      { path: 'context.orderId.from', code: 'value.source' },
    ],
    [
      'an initial literal of another type',
      { context: { orderId: { type: 'string', value: 5 } } },
      { path: 'context.orderId.value', code: 'context.type' },
    ],
    [
      'a reserved name',
      { context: { __proto__: null, constructor: { type: 'string' } } },
      { path: 'context.constructor', code: 'schema.invalid' },
    ],
    [
      'a context larger than the state can carry',
      {
        context: Object.fromEntries(
          Array.from({ length: 5 }, (_, i) => [`v${i}`, { type: 'string', maxLength: 4096 }]),
        ),
      },
      { path: 'context', code: 'context.size' },
    ],
  ])('reports %s', (_name, input, expected) => {
    expect(problems(input)).toContainEqual(expected);
  });

  it('makes ingest check the type of the trigger values that set variables', () => {
    const live = liveFields(Journey.parse(base));
    expect(live.contextTypes).toEqual([
      { path: 'trigger.properties.orderId', type: 'string', maxLength: 256 },
    ]);
    expect(live.requires).toContain('trigger.properties.orderId');
  });
});

describe('the context an enrollment starts with (what previews render with)', () => {
  const declarations = {
    orderId: { type: 'string', from: 'trigger.properties.orderId', maxLength: 8 },
    total: { type: 'number', from: 'trigger.properties.total' },
    tier: { type: 'string', value: 'silver' },
    score: { type: 'number' },
  } as const;

  it('takes literals, nulls and fitting trigger values', () => {
    const { values, refused } = entryContext(declarations, { properties: { orderId: 'o-1', total: 9 } });
    expect(Object.fromEntries(values)).toStrictEqual({
      orderId: 'o-1',
      total: 9,
      tier: 'silver',
      score: null,
    });
    expect(refused).toStrictEqual([]);
  });

  it('leaves out, with the reason, each trigger value ingest would refuse', () => {
    const { values, refused } = entryContext(declarations, { properties: { orderId: 'o-123456789' } });
    expect([...values.keys()]).toStrictEqual(['tier', 'score']);
    expect(refused).toStrictEqual([
      {
        name: 'orderId',
        from: 'trigger.properties.orderId',
        problem: 'is 11 characters long, over its maxLength 8',
      },
      { name: 'total', from: 'trigger.properties.total', problem: 'is missing' },
    ]);
  });

  it('counts a string by its characters, an emoji as one, as maxLength says', () => {
    // act: 8 characters that are 16 UTF-16 units, then 9 such characters
    const fits = entryContext(declarations, { properties: { orderId: '🎉'.repeat(8), total: 1 } });
    const over = entryContext(declarations, { properties: { orderId: '🎉'.repeat(9), total: 1 } });
    // assert
    expect(fits.values.get('orderId')).toBe('🎉'.repeat(8));
    expect(fits.refused).toStrictEqual([]);
    expect(over.refused).toStrictEqual([
      {
        name: 'orderId',
        from: 'trigger.properties.orderId',
        problem: 'is 9 characters long, over its maxLength 8',
      },
    ]);
  });
});
