import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * Step Functions' paths have no `length` (AWS documents functions such as length() as unsupported in
 * Reference Paths: `.length` of an array is a path to nothing there), while the local interpreter's
 * JSONPath engine answers an array's length and the evaluator nothing. A copy through a `length`
 * segment would behave three ways, so validate refuses it.
 */
function journey(copied: string, context?: Record<string, unknown>) {
  return {
    id: 'copied-length',
    name: 'Copied length',
    trigger: { type: 'event', event: 'Cart Updated' },
    ...(context === undefined ? {} : { context }),
    start: 'keep',
    steps: {
      keep: { type: 'updateProfile', set: { cartSize: { from: copied } }, next: 'wait' },
      wait: {
        type: 'waitForEvent',
        event: 'Order Completed',
        match: { 'event.properties.cartId': 'trigger.properties.cartId' },
        timeout: 'P1D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  };
}

const codes = (input: unknown) => {
  const result = validateJourney(input);
  return result.ok ? [] : result.violations.map((v) => `${v.path} ${v.code}`);
};

describe('a copy through a length segment', () => {
  it.each([
    'trigger.properties.items.length',
    "trigger.properties.items['length']",
    'trigger.properties.length',
  ])('is refused for %s, naming the path', (path) => {
    expect(codes(journey(path))).toEqual(['steps.keep.set.cartSize.from value.length']);
    const result = validateJourney(journey(path));
    expect(result.ok ? '' : result.violations[0]?.message).toContain(path);
  });

  it('is refused for a context variable', () => {
    const context = { size: { type: 'number', from: 'trigger.properties.items.length' } };
    expect(codes(journey('trigger.properties.total', context))).toEqual(['context.size.from value.length']);
  });

  it('leaves other copies and conditions on length alone', () => {
    expect(codes(journey('trigger.properties.lengthCm'))).toEqual([]);
  });
});
