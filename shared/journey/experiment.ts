import * as z from 'zod';
import { IsoDuration } from '../conditions/schema.ts';
import { hex128 } from '../hash.ts';
import { EXPERIMENT_BOUNDS } from './rules.ts';

const { minSample, confidence } = EXPERIMENT_BOUNDS;

/**
 * An experiment on a split: it ends — after a time, or as soon as one
 * variant converts significantly better than every other — and from then on
 * new entrants take the winning variant while enrollments already past the
 * split keep theirs. A holdout is the experiment's control and keeps its
 * share after the end, so the winner's effect stays measurable.
 */
export const Experiment = z
  .object({
    metric: z
      .literal('goal')
      .describe('What a variant is judged by: its conversion rate to the journey goal.'),
    minSample: z
      .number()
      .int()
      .min(minSample.min)
      .max(minSample.max)
      .describe('No decision before every competing variant has had this many entrants.'),
    until: z
      .union([z.literal('significant'), IsoDuration])
      .describe(
        '"significant": ends when the leader converts better than every other variant at the confidence level; a duration (P14D): ends that long after the experiment started, the leader wins.',
      ),
    confidence: z
      .number()
      .min(confidence.min)
      .max(confidence.max)
      .default(confidence.default)
      .describe(
        'The confidence of "significant" (a two-sided sequential test on the two proportions, valid at every hourly look); 0.95 by default.',
      ),
  })
  .strict()
  .describe('End the split as an experiment: after it, new entrants take the winning variant.');
export type Experiment = z.infer<typeof Experiment>;

/**
 * What identifies an experiment across deploys: its definition and the
 * variant names and holdouts. An edit that keeps them (new copy, a new
 * template) continues the experiment with its data; one that changes them
 * starts a new experiment.
 */
export function experimentKey(
  experiment: Experiment,
  variants: readonly { name: string; holdout: boolean }[],
): string {
  const names = variants.map((v) => [v.name, v.holdout]);
  return hex128(
    JSON.stringify([experiment.metric, experiment.minSample, experiment.until, experiment.confidence, names]),
  );
}
