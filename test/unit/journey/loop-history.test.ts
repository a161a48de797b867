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
    // assert: 9 history events a round at the least, 25,000 at most: about 2,777 rounds, 115 days
    expect(warnings).toStrictEqual([
      {
        path: 'steps.check',
        code: 'loop.history',
        message: expect.stringContaining('"check" → "pause" → "nudge"'),
      },
    ]);
    expect(warnings[0]?.message).toContain('about 115 days');
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
