import { describe, expect, it } from 'vitest';
import { variantTaken } from '#infra/local/inspect/decisions.ts';
import { Journey } from '#shared/journey/schema.ts';

/**
 * The variant a trace names for an enrollment whose item is gone comes from
 * where the split went. An enrollment of an earlier version may have gone
 * where no variant of the definition at hand leads: its bucket was drawn
 * under that version's weights, so reading it with these would name a
 * variant it never had (and not the one its results count it in).
 */

const live = Journey.parse({
  id: 'weights',
  name: 'Weights',
  trigger: { type: 'event', event: 'Joined' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'A', weight: 20, next: 'mail' },
        { name: 'control', weight: 80, next: 'done', holdout: true },
      ],
    },
    mail: { type: 'email', template: 'welcome', next: 'done' },
    done: { type: 'exit' },
  },
});
const split = live.steps.ab;

describe('trace: the variant of an enrollment of an earlier version', () => {
  it('is not read from the bucket when no variant of the definition at hand leads where the split went', () => {
    if (split?.type !== 'split') throw new Error('not a split');
    // A bucket of 90 is "control" under these weights; version 1 sent it to a step since removed.
    expect(variantTaken(split, 'bump', 90)).toBeUndefined();
  });

  it('is still named by where the split went, or by the bucket among the variants leading there', () => {
    if (split?.type !== 'split') throw new Error('not a split');
    expect([variantTaken(split, 'mail', 90), variantTaken(split, 'done', 10)]).toEqual(['A', 'control']);
  });
});
