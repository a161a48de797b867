import { describe, expect, it } from 'vitest';
import { journeyJsonSchema } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { fieldNames, lazyFieldNames } from '#shared/journey/violations.ts';

const fields = fieldNames(journeyJsonSchema());

/** A journey written by hand, with the slips people make in field names. */
const misspelt = {
  id: 'slips',
  name: 'Slips',
  trigger: { type: 'event', event: 'Signed Up' },
  Goal: { event: 'Order Completed', within: 'P7D', exit: true },
  start: 'hello',
  steps: {
    hello: { type: 'email', tempalte: 'welcome', nxt: 'done' },
    pause: { type: 'wait', for: 'PT1H', next: 'done', lable: 'A pause', zzz: 1 },
    done: { type: 'exit' },
  },
};

const problems = (options: Parameters<typeof validateJourney>[1]) => {
  const result = validateJourney(misspelt, options);
  return result.ok
    ? []
    : result.violations.filter((v) => /nknown/.test(v.message)).map((v) => `${v.path} | ${v.message}`);
};

describe('an unknown field a slip away from a known one', () => {
  it('is reported with the field it was meant to be, when the language’s fields are given', () => {
    expect(problems({ fields })).toStrictEqual([
      '(journey) | Unknown field "Goal" (did you mean "goal"?).',
      'steps.hello | has unknown fields "tempalte", "nxt" (did you mean "template" for "tempalte", "next" for "nxt"?)',
      'steps.pause | has unknown fields "lable", "zzz" (did you mean "label" for "lable"?)',
    ]);
  });

  it('is reported the same when they are given as a function that makes them', () => {
    expect(problems({ fields: lazyFieldNames(journeyJsonSchema) })).toStrictEqual(problems({ fields }));
  });

  it('does not make them for a journey without an unknown field', () => {
    let made = 0;
    const counted = lazyFieldNames(() => {
      made += 1;
      return journeyJsonSchema();
    });
    const { Goal, ...rest } = misspelt;
    const result = validateJourney(
      { ...rest, goal: Goal, steps: { done: { type: 'exit' } }, start: 'done' },
      { fields: counted },
    );
    expect(result.ok).toBe(true);
    expect(made).toBe(0);
    expect(problems({ fields: counted })).toHaveLength(3);
    expect(problems({ fields: counted })).toHaveLength(3);
    expect(made).toBe(1);
  });

  it('is reported as before without them', () => {
    expect(problems({})).toStrictEqual([
      '(journey) | Unknown field "Goal".',
      'steps.hello | has unknown fields "tempalte", "nxt"',
      'steps.pause | has unknown fields "lable", "zzz"',
    ]);
  });
});
