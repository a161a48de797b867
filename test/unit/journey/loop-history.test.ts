import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

// arrange: a reminder that goes round until the customer is done
function looping(wait: Record<string, unknown>) {
  return {
    id: 'nag',
    name: 'Nag',
    trigger: { type: 'event', event: 'Trial Started' },
    start: 'pause',
    steps: {
      pause: { type: 'wait', ...wait, next: 'nudge' },
      nudge: { type: 'emit', event: 'Nudge Due', properties: {}, next: 'check' },
      check: {
        type: 'branch',
        branches: [{ when: { path: 'profile.traits.activated', eq: true }, next: 'done' }],
        otherwise: 'pause',
      },
      done: { type: 'exit' },
    },
  };
}

function historyWarnings(input: Record<string, unknown>) {
  const result = validateJourney(input);
  expect(result.ok).toBe(true);
  return result.warnings.filter((w) => w.code === 'loop.history');
}

describe('a loop that can fill an execution history before its year is out', () => {
  it('warns when going round every hour, with when the history runs out', () => {
    // act
    const warnings = historyWarnings(looping({ for: 'PT1H' }));
    // assert: 14 history events a round at the least (Wait 2, putEvents Task 5, evaluate Task 5 and
    // its Choice 2), 25,000 at most: 1,785 rounds, about 74 days
    expect(warnings).toStrictEqual([
      {
        path: 'steps.check',
        code: 'loop.history',
        message: expect.stringContaining('"check" → "pause" → "nudge"'),
      },
    ]);
    expect(warnings[0]?.message).toContain('about 74 days');
  });

  it('counts the events Step Functions records: a loop of four hours fills the history within the year', () => {
    // act
    const warnings = historyWarnings(looping({ for: 'PT4H' }));
    // assert: 14 events a round, 1,785 rounds of 4 hours: about 297 days
    expect(warnings.map((w) => w.path)).toStrictEqual(['steps.check']);
    expect(warnings[0]?.message).toContain('about 297 days (1,785 rounds)');
  });

  it('counts a message on a loop as its visit and its send, and a waitForEvent that times out as two Tasks', () => {
    const input = looping({ for: 'P1D' });
    const steps = {
      pause: {
        type: 'waitForEvent',
        event: 'App Opened',
        timeout: 'PT6H',
        onEvent: 'done',
        onTimeout: 'nudge',
      },
      nudge: { type: 'email', template: 'promo', next: 'pause' },
      done: { type: 'exit' },
    };
    // act: 11 + 7 = 18 events a round, 1,388 rounds of 6 hours
    const result = validateJourney({ ...input, steps }, { templates: new Map([['promo', 'email']]) });
    // assert
    expect(result.warnings.filter((w) => w.code === 'loop.history').map((w) => w.message)).toStrictEqual([
      expect.stringContaining('about 347 days (1,388 rounds)'),
    ]);
  });

  it('counts the fastest way round: a timeout that loops back', () => {
    const input = looping({ for: 'P1D' });
    const steps = {
      ...input.steps,
      pause: {
        type: 'waitForEvent',
        event: 'App Opened',
        timeout: 'PT30M',
        onEvent: 'done',
        onTimeout: 'nudge',
      },
    };
    expect(historyWarnings({ ...input, steps }).map((w) => w.path)).toStrictEqual(['steps.check']);
  });

  it.each([
    ['a daily round', looping({ for: 'P1D' })],
    [
      'no loop',
      {
        ...looping({ for: 'PT1H' }),
        steps: {
          pause: { type: 'wait', for: 'PT1H', next: 'nudge' },
          nudge: { type: 'emit', event: 'Nudge Due', properties: {}, next: 'done' },
          done: { type: 'exit' },
        },
      },
    ],
  ])('stays quiet for %s', (_name, input) => {
    expect(historyWarnings(input)).toStrictEqual([]);
  });

  it('stays quiet for a loop that goes round only when the customer acts', () => {
    const input = looping({ for: 'P1D' });
    const steps = {
      ...input.steps,
      pause: {
        type: 'waitForEvent',
        event: 'App Opened',
        timeout: 'P30D',
        onEvent: 'nudge',
        onTimeout: 'done',
      },
    };
    expect(historyWarnings({ ...input, steps })).toStrictEqual([]);
  });
});
