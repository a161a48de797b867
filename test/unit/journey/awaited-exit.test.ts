import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

// arrange: a journey that waits for "Order Completed" after its trigger
function journey(overrides: Record<string, unknown> = {}) {
  return {
    id: 'cart',
    name: 'Cart',
    trigger: { type: 'event', event: 'Cart Updated' },
    start: 'wait',
    steps: {
      wait: {
        type: 'waitForEvent',
        event: 'Order Completed',
        timeout: 'P1D',
        onEvent: 'thanks',
        onTimeout: 'done',
      },
      thanks: { type: 'updateProfile', set: { thanked: true }, next: 'done' },
      done: { type: 'exit' },
    },
    ...overrides,
  };
}

function warningsOf(input: Record<string, unknown>) {
  const result = validateJourney(input);
  expect(result.ok).toBe(true);
  return result.warnings.filter((w) => w.code === 'wait.exits');
}

describe('a wait for an event that always ends the enrollment first', () => {
  it.each([
    [
      'an exitOn with no where',
      { exitOn: [{ event: 'Unsubscribed' }, { event: 'Order Completed' }] },
      'exitOn[1]',
    ],
    ['a goal that exits, with no where and no window', { goal: { event: 'Order Completed' } }, 'the goal'],
  ])('warns for %s, naming the step that never runs', (_name, overrides, by) => {
    const [warning] = warningsOf(journey(overrides));
    expect(warning?.path).toBe('steps.wait.event');
    expect(warning?.message).toContain(`(${by})`);
    expect(warning?.message).toContain('"thanks" never runs');
  });

  it.each([
    [
      'an exitOn with a where',
      { exitOn: [{ event: 'Order Completed', where: { path: 'event.properties.total', gt: 100 } }] },
    ],
    ['a goal that does not exit', { goal: { event: 'Order Completed', exit: false } }],
    [
      'a goal with a window (the wait may come after it)',
      { goal: { event: 'Order Completed', within: 'PT1H' } },
    ],
    ['an exit on another event', { exitOn: [{ event: 'Unsubscribed' }] }],
  ])('stays quiet for %s', (_name, overrides) => {
    expect(warningsOf(journey(overrides))).toEqual([]);
  });
});
