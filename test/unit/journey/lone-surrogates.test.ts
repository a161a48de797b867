import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';
import { counterSortKey } from '#shared/stats/keys.ts';

/** A journey with text where JSON can escape half a surrogate pair: names, ids of events, keys of emitted properties. */
const journey = (variant: string, event: string, property: string) => ({
  id: 'halves',
  name: 'Halves',
  trigger: { type: 'event', event },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: variant, weight: 50, next: 'tell' },
        { name: 'b', weight: 50, next: 'tell' },
      ],
    },
    tell: { type: 'emit', event: 'Told', properties: { [property]: 'x' }, next: 'done' },
    done: { type: 'exit' },
  },
});

const HALF = 'holds half of a surrogate pair';

describe('text holding half of a surrogate pair', () => {
  it.each([
    ['A\ud800', 'Signed Up', 'p', 'steps.ab.variants[0].name'],
    ['A', 'Signed \udc00Up', 'p', 'trigger.event'],
    ['A', 'Signed Up', 'p\ud83d', 'steps.tell.properties["p\\ud83d"]'],
  ])('is refused with its path: variant %j, event %j, key %j', (variant, event, property, path) => {
    // arrange: a variant so named used to validate, and every count of it then failed
    expect(() =>
      counterSortKey({ version: '1', stepId: 'ab', variant: 'A\ud800', metric: 'assigned' }),
    ).toThrow();
    // act
    const result = validateJourney(journey(variant, event, property));
    // assert
    expect(result.ok).toBe(false);
    const found = result.ok ? [] : result.violations.filter((v) => v.message.includes(HALF));
    expect(found.map((v) => v.path)).toStrictEqual([path]);
  });

  it('takes whole characters outside the BMP, written or escaped as a pair', () => {
    const result = validateJourney(journey('A 😀', 'Signed \ud83d\ude00', 'p😀'));
    expect(result.ok ? [] : result.violations).toStrictEqual([]);
  });
});
