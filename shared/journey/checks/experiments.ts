import { durationSeconds, MAX_EXECUTION_SECONDS } from '../../time.ts';
import { type Violation, violation } from '../violations.ts';
import type { CheckContext } from './context.ts';

/** The longest test window: a year, like everything else a journey schedules. */
const MAX_WINDOW_SECONDS = MAX_EXECUTION_SECONDS;

/**
 * An experiment needs what it is judged by (the journey goal), at least two
 * variants that compete (messaged, with a share of entrants), and a test
 * window that is some time and at most a year.
 */
export function checkExperiments({ steps, goal }: CheckContext): Violation[] {
  const out: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'split' || step.experiment === undefined) continue;
    const at = ['steps', id, 'experiment'];
    if (goal === undefined) {
      out.push(
        violation(
          [...at, 'metric'],
          'experiment.goal',
          'An experiment judges variants by the journey goal: give the journey a "goal".',
        ),
      );
    }
    const competing = step.variants.filter((v) => !v.holdout && v.weight > 0);
    if (competing.length < 2) {
      out.push(
        violation(
          at,
          'experiment.variants',
          'An experiment needs two variants at least that are not holdouts and have a weight above 0.',
        ),
      );
    }
    const { until } = step.experiment;
    const seconds = until === 'significant' ? undefined : durationSeconds(until);
    if (seconds !== undefined && (seconds <= 0 || seconds > MAX_WINDOW_SECONDS)) {
      out.push(
        violation(
          [...at, 'until'],
          'experiment.window',
          `${until} is not a test window: give a duration longer than zero and at most a year (P365D).`,
        ),
      );
    }
  }
  return out;
}

/**
 * Variants the report compares with a holdout, or an experiment judges, must
 * be counted over the same time. A goal without `within` counts only while
 * an enrollment runs, so a variant whose path ends at once (a holdout) could
 * never convert and one that waits days would collect every conversion: the
 * comparison would show a winner where the messages did nothing.
 */
export function checkComparisonWindow({ steps, goal }: CheckContext): Violation[] {
  if (goal === undefined || goal.within !== undefined) return [];
  const compared = Object.values(steps).some(
    (step) =>
      step.type === 'split' && (step.experiment !== undefined || step.variants.some((v) => v.holdout)),
  );
  if (!compared) return [];
  return [
    violation(
      ['goal', 'within'],
      'goal.window',
      'A split with a holdout or an experiment compares variants by their goal conversions: give the goal a "within" window (e.g. "P7D") so every variant is counted over the same time. Without one a conversion counts only while the enrollment runs, and a holdout that ends at once would never convert.',
    ),
  ];
}
