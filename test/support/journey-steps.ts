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
