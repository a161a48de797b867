import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * What validation can prove about a variable's maxLength: a literal too
 * long, and a copy from a variable that may hold longer strings, are refused
 * with the step and the variables named. A string copied from the trigger,
 * the awaited event or a response is only known at run time (unset then).
 */
const journey = (set: Record<string, unknown>, context?: Record<string, unknown>) => ({
  id: 'copy-length',
  name: 'Copy length',
  trigger: { type: 'event', event: 'Booked' },
  context: context ?? {
    long: { type: 'string', maxLength: 64 },
    short: { type: 'string', maxLength: 8 },
    plain: { type: 'string' },
  },
  start: 'keep',
  steps: { keep: { type: 'updateContext', set, next: 'done' }, done: { type: 'exit' } },
});

function problems(input: unknown): { path: string; code: string; message: string }[] {
  const result = validateJourney(input);
  return result.ok ? [] : result.violations.map(({ path, code, message }) => ({ path, code, message }));
}

describe('a copy from a context variable with a larger maxLength', () => {
  it('is refused, naming the step, both variables and their limits', () => {
    // act
    const found = problems(journey({ short: { from: 'context.long' } }));
    // assert
    expect(found).toEqual([
      {
        path: 'steps.keep.set.short.from',
        code: 'context.type',
        message: expect.stringMatching(/context\.long holds up to 64 characters; short holds 8/),
      },
    ]);
  });

  it('counts a variable without maxLength at the default 256', () => {
    expect(problems(journey({ short: { from: 'context.plain' } }))).toHaveLength(1);
    expect(problems(journey({ plain: { from: 'context.long' } }))).toEqual([]);
  });

  it('is accepted from a variable that holds no longer strings', () => {
    expect(problems(journey({ long: { from: 'context.short' } }))).toEqual([]);
  });
});

describe('a literal', () => {
  it('is counted in characters, as at run time: three emoji fit a maxLength of 3', () => {
    const context = { code: { type: 'string', maxLength: 3, value: '🎉🎉🎉' } };
    expect(problems(journey({ code: '👍👍👍' }, context))).toEqual([]);
  });

  it('longer than maxLength is refused in an update', () => {
    expect(problems(journey({ short: 'nine char' }))).toEqual([
      { path: 'steps.keep.set.short', code: 'context.type', message: expect.stringMatching(/9 characters/) },
    ]);
  });
});

describe('a trigger value an update copies', () => {
  it('is refused when the trigger can never carry it (a segment journey has no trigger event)', () => {
    const input = {
      ...journey({ short: { from: 'trigger.properties.code' } }),
      trigger: {
        type: 'segment',
        schedule: 'rate(1 day)',
        segment: { path: 'profile.traits.plan', eq: 'vip' },
      },
    };
    expect(problems(input).map((p) => `${p.path} ${p.code}`)).toContain(
      'steps.keep.set.short.from trigger.field',
    );
  });
});
