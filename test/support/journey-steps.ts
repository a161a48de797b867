import type { JourneyInput } from '#shared/journey/schema.ts';

/**
 * The smallest journey body that enrolls, splits and ends: for tests about
 * entry (triggers, re-entry, buckets) rather than about steps.
 */
export const AB_SPLIT_THEN_EXIT: Pick<JourneyInput, 'start' | 'steps'> = {
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
};

/**
 * A split whose variants both wait an hour before the end: for tests about a
 * start moved by an edit (the wait was the first version's start).
 */
export const AB_SPLIT_THEN_WAIT: Pick<JourneyInput, 'start' | 'steps'> = {
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'a', weight: 50, next: 'pause' },
        { name: 'b', weight: 50, next: 'pause' },
      ],
    },
    pause: { type: 'wait', for: 'PT1H', next: 'done' },
    done: { type: 'exit' },
  },
};
