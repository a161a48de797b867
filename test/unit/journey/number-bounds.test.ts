import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * A number outside its bounds is named with the bound and the value given,
 * in the words the other problems use, not in the schema library's own
 * ("Too small: expected number to be >=0").
 */

const journey = (changes: Record<string, unknown>) => ({
  id: 'bounds',
  name: 'Bounds',
  trigger: {
    type: 'event',
    event: 'Trial Started',
    where: { performed: 'Opened', atLeast: 1, within: 'P7D' },
  },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'a', weight: 50, next: 'done' },
        { name: 'b', weight: 50, next: 'done' },
      ],
    },
    done: { type: 'exit' },
  },
  ...changes,
});

function messages(input: unknown): string[][] {
  const result = validateJourney(input);
  return result.ok ? [] : result.violations.map((v) => [v.path, v.message]);
}

describe('a number past its bounds', () => {
  it('names the least a count may be, and the value given', () => {
    const input = journey({
      trigger: {
        type: 'event',
        event: 'Trial Started',
        where: { performed: 'Opened', atLeast: -1, within: 'P7D' },
      },
      settings: { caps: [{ max: 0, within: 'P1D' }] },
    });
    expect(messages(input)).toStrictEqual([
      ['trigger.where.atLeast', 'must be at least 0, got the number -1'],
      ['settings.caps[0].max', 'must be at least 1, got the number 0'],
    ]);
  });

  it('names the most a weight may be, and the value given', () => {
    const input = journey({
      steps: {
        ab: {
          type: 'split',
          variants: [
            { name: 'a', weight: 150, next: 'done' },
            { name: 'b', weight: -50, next: 'done' },
          ],
        },
        done: { type: 'exit' },
      },
    });
    expect(messages(input)).toStrictEqual([
      ['steps.ab.variants[0].weight', 'must be at most 100, got the number 150'],
      ['steps.ab.variants[1].weight', 'must be at least 0, got the number -50'],
    ]);
  });
});
