import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

type Variant = { name: string; weight: number; next: string; holdout?: boolean };

function journey(experiment: unknown, variants?: Variant[], goal: unknown = { event: 'Buy', within: 'P7D' }) {
  return {
    id: 'exp',
    name: 'exp',
    trigger: { type: 'event', event: 'Go' },
    ...(goal === null ? {} : { goal }),
    start: 'ab',
    steps: {
      ab: {
        type: 'split',
        variants: variants ?? [
          { name: 'a', weight: 45, next: 'done' },
          { name: 'b', weight: 45, next: 'done' },
          { name: 'control', weight: 10, next: 'done', holdout: true },
        ],
        experiment,
      },
      done: { type: 'exit' },
    },
  };
}

function problems(input: unknown): [string, string][] {
  const result = validateJourney(input);
  return result.ok ? [] : result.violations.map((v) => [v.path, v.code]);
}

describe('validate: experiments on splits', () => {
  it.each([
    { case: 'a test window', experiment: { metric: 'goal', minSample: 1000, until: 'P14D' } },
    {
      case: 'significance',
      experiment: { metric: 'goal', minSample: 200, until: 'significant', confidence: 0.99 },
    },
  ])('accepts $case', ({ experiment }) => {
    expect(problems(journey(experiment))).toStrictEqual([]);
  });

  it.each([
    {
      case: 'no goal to judge by',
      input: journey({ metric: 'goal', minSample: 10, until: 'P7D' }, undefined, null),
      expected: [['steps.ab.experiment.metric', 'experiment.goal']],
    },
    {
      case: 'one competitor besides the holdout',
      input: journey({ metric: 'goal', minSample: 10, until: 'P7D' }, [
        { name: 'a', weight: 90, next: 'done' },
        { name: 'b', weight: 0, next: 'done' },
        { name: 'control', weight: 10, next: 'done', holdout: true },
      ]),
      expected: [['steps.ab.experiment', 'experiment.variants']],
    },
    {
      case: 'a window of no time',
      input: journey({ metric: 'goal', minSample: 10, until: 'PT0S' }),
      expected: [['steps.ab.experiment.until', 'experiment.window']],
    },
    {
      case: 'a window past a year',
      input: journey({ metric: 'goal', minSample: 10, until: 'P400D' }),
      expected: [['steps.ab.experiment.until', 'experiment.window']],
    },
    {
      case: 'an unknown metric and a zero sample',
      input: journey({ metric: 'clicks', minSample: 0, until: 'P7D' }),
      expected: [
        ['steps.ab.experiment.metric', 'schema.invalid'],
        ['steps.ab.experiment.minSample', 'schema.invalid'],
      ],
    },
    {
      case: 'neither a duration nor "significant"',
      input: journey({ metric: 'goal', minSample: 10, until: 'soon' }),
      expected: [['steps.ab.experiment.until', 'schema.invalid']],
    },
  ])('reports $case with its path', ({ input, expected }) => {
    expect(problems(input)).toStrictEqual(expected);
  });
});

describe('validate: variants compared over the same goal window', () => {
  const holdout: Variant[] = [
    { name: 'a', weight: 90, next: 'done' },
    { name: 'control', weight: 10, next: 'done', holdout: true },
  ];

  it.each([
    { case: 'a holdout', input: journey(undefined, holdout, { event: 'Buy' }) },
    {
      case: 'an experiment',
      input: journey({ metric: 'goal', minSample: 10, until: 'significant' }, undefined, { event: 'Buy' }),
    },
  ])('refuses a goal without "within" beside $case', ({ input }) => {
    // act
    const result = validateJourney(input);
    // assert
    expect(result.ok).toBe(false);
    const found = result.ok ? [] : result.violations;
    expect(found.map((v) => [v.path, v.code])).toStrictEqual([['goal.within', 'goal.window']]);
    expect(found[0]?.message).toContain('holdout');
  });

  it.each([
    { case: 'a goal window', input: journey(undefined, holdout) },
    { case: 'no goal', input: journey(undefined, holdout, null) },
    {
      case: 'a split without holdout or experiment',
      input: journey(
        undefined,
        [
          { name: 'a', weight: 50, next: 'done' },
          { name: 'b', weight: 50, next: 'done' },
        ],
        { event: 'Buy' },
      ),
    },
  ])('accepts $case', ({ input }) => {
    expect(problems(input)).toStrictEqual([]);
  });
});
