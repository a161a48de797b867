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
