import type { ChoiceBranch } from '../../conditions/choice.ts';
import type { StepOf } from '../schema.ts';
import type { StepRenderer } from './context.ts';
import { referencePath } from './reference-path.ts';

type SplitStep = StepOf<'split'>;
type Variant = SplitStep['variants'][number];

/** Each variant with the buckets it owns: [from, to), in order; weight 0 owns none. */
function variantRanges(step: SplitStep): { variant: Variant; from: number; to: number }[] {
  let from = 0;
  return step.variants.map((variant) => {
    const range = { variant, from, to: from + variant.weight };
    from = range.to;
    return range;
  });
}

/** The Reference Path of a split's bucket in the execution input (`$.buckets.<stepId>`). */
export function bucketPath(stepId: string): string {
  return referencePath('$.buckets', [stepId]);
}

/** The Choice of a split: bucket below each cumulative bound, the last variant as Default. */
export function splitChoice(id: string, step: SplitStep): { Choices: ChoiceBranch[]; Default: string } {
  const owning = variantRanges(step).filter((r) => r.to > r.from);
  const last = owning.at(-1) ?? { variant: step.variants[step.variants.length - 1], to: 100 };
  // A Choice needs one rule at least: a split whose buckets all go to one variant keeps its bound.
  const ruled = owning.length > 1 ? owning.slice(0, -1) : owning;
  const Choices = ruled.map((r) => ({
    Variable: bucketPath(id),
    NumericLessThan: r.to,
    Next: r.variant.next,
  }));
  return { Choices, Default: last.variant?.next ?? '' };
}

function describe(step: SplitStep): string {
  return variantRanges(step)
    .map((r) => `${r.variant.name} ${r.from}-${r.to - 1}${r.variant.holdout ? ' (holdout)' : ''}`)
    .join(', ');
}

/** An experiment ends at entry, not here: entrants after it carry the winner's bucket. */
function experimentNote(step: SplitStep): string {
  return step.experiment === undefined
    ? ''
    : '; an experiment: once it ends, entrants carry the winner’s bucket';
}

/**
 * split: a Choice on the enrollment's bucket for this step, computed once at
 * enrollment (splitBucket) and carried in `$.buckets` — one transition. The
 * Comment lists each variant's buckets and marks holdouts. An experiment adds
 * no state: when it has ended, enrollment draws the winner's bucket instead.
 */
export const renderSplit: StepRenderer<SplitStep> = (id, step) => [
  [
    id,
    {
      Type: 'Choice',
      Comment: `Variants by bucket: ${describe(step)}${experimentNote(step)}`,
      ...splitChoice(id, step),
    },
  ],
];
