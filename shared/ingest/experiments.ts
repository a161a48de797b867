import { experimentKey } from '../journey/experiment.ts';
import { Experiment } from '../journey/mini-schema.ts';
import type { Journey } from '../journey/schema.ts';
import * as z from '../zod.ts';

/**
 * An experiment's deploy-time state, kept on the journey's live registry
 * item (one entry per split that declares an experiment: bounded by the
 * journey's steps): its identity, where its data starts, and the decision
 * once taken. New entrants read it with the rest of the live journey.
 */
export const ExperimentState = z.object({
  stepId: z.string(),
  /** The experiment identity (experimentKey): same key, same experiment. */
  key: z.string(),
  experiment: Experiment,
  /**
   * The split's weights while it runs, in declared order: a change starts a new experiment
   * (absent in states recorded before weights were: taken from the next deploy).
   */
  weights: z.optional(z.array(z.number())),
  /** The first journey version of this experiment: its data is counted from there. */
  fromVersion: z.string(),
  /** When the experiment began (the deploy of fromVersion). */
  startedAt: z.string(),
  /**
   * Its entrants and conversions are summed in its own totals from its start (the stats table's
   * experiment item), which a check reads; absent on experiments begun before those were kept,
   * whose check sums the journey's counters.
   */
  totals: z.optional(z.literal(true)),
  /** When the counters are looked at next. */
  checkAt: z.optional(z.string()),
  /** The last look, while running. */
  lastCheck: z.optional(z.object({ at: z.string(), reason: z.string() })),
  /** The end: new entrants take the winner. */
  decision: z.optional(z.object({ winner: z.string(), at: z.string(), reason: z.string() })),
});
export type ExperimentState = z.infer<typeof ExperimentState>;

/**
 * The experiment states of a journey about to go live: an experiment whose
 * identity did not change since the previous version continues (its start,
 * data and decision); a new or changed one starts now, counted from `version`.
 * So does a running one whose weights changed: its counts are pooled over
 * its versions, and entrants drawn in other shares at other times (a season
 * that converts more) could make the worse variant lead. A decided one
 * keeps its winner whatever the weights become.
 */
export function experimentStates(
  journey: Journey,
  version: string,
  at: string,
  previous: readonly ExperimentState[] = [],
): ExperimentState[] {
  const states: ExperimentState[] = [];
  for (const [stepId, step] of Object.entries(journey.steps)) {
    if (step.type !== 'split' || step.experiment === undefined) continue;
    const key = experimentKey(step.experiment, step.variants);
    const weights = step.variants.map((v) => v.weight);
    const kept = previous.find(
      (p) =>
        p.stepId === stepId &&
        p.key === key &&
        (p.decision !== undefined || p.weights === undefined || sameWeights(p.weights, weights)),
    );
    if (kept === undefined)
      states.push({
        stepId,
        key,
        experiment: step.experiment,
        weights,
        fromVersion: version,
        startedAt: at,
        totals: true,
      });
    else states.push(kept.weights === undefined && kept.decision === undefined ? { ...kept, weights } : kept);
  }
  return states;
}

function sameWeights(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

/**
 * The bucket an entrant takes at a split whose experiment has ended: a
 * customer whose own bucket falls in the holdout stays in it (the control
 * keeps measuring the winner); everyone else takes the winner's first
 * bucket, so the compiled Choice routes them there at no extra cost.
 */
export function bucketAfterExperiment(
  variants: readonly { name: string; weight: number; holdout: boolean }[],
  winner: string,
  bucket: number,
): number {
  let from = 0;
  let own: { holdout: boolean } | undefined;
  let winnerFrom: number | undefined;
  for (const variant of variants) {
    if (own === undefined && bucket < from + variant.weight) own = variant;
    if (variant.name === winner && variant.weight > 0) winnerFrom = from;
    from += variant.weight;
  }
  if (winnerFrom === undefined || own?.holdout === true) return bucket;
  return winnerFrom;
}
