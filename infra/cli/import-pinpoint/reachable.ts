import { Step } from '../../../shared/journey/schema.ts';
import { fromZodIssues } from '../../../shared/journey/violations.ts';
import type { StepInput } from './context.ts';
import { type ImportLog, pathOf } from './notes.ts';

/**
 * Keeps the steps reachable from the start; an activity left out gets a note.
 * A step that does not validate (a `FromAddress` that is no address, an event
 * name longer than events may have) is kept as mapped, with a note naming its
 * activity and what is wrong: the journey is written, and it does not
 * validate, so it cannot deploy, until that is fixed. Leaving the value out
 * would give a journey that behaves differently without saying so, and
 * refusing the whole journey would lose every other activity for one field.
 */
export function reachableOnly(
  start: string,
  steps: Record<string, StepInput>,
  stepOf: ReadonlyMap<string, string>,
  activityOf: ReadonlyMap<string, string>,
  log: ImportLog,
): Record<string, StepInput> {
  const reachable = reachableSteps(start, steps);
  for (const [id, step] of Object.entries(steps)) {
    if (!reachable.has(id)) continue;
    const result = Step.safeParse(step);
    if (result.success) continue;
    const activityId = activityOf.get(id);
    const why = fromZodIssues(result.error.issues, [])
      .map(({ path, message }) => (path === '' ? message : `${path}: ${message}`))
      .join('; ');
    log.note(
      activityId === undefined ? `(step ${id})` : pathOf('Activities', activityId),
      `Became step "${id}" as given, which does not validate (${why}): the journey is written, and is rejected on deploy until the step is fixed.`,
    );
  }
  for (const [activityId, stepId] of stepOf) {
    if (!reachable.has(stepId) && Object.hasOwn(steps, stepId))
      log.note(
        pathOf('Activities', activityId),
        'No path from StartActivity reaches this activity; it was left out.',
      );
  }
  return Object.fromEntries(Object.entries(steps).filter(([id]) => reachable.has(id)));
}

/** Step ids reachable from `start`, following each step as written, whether or not it validates. */
export function reachableSteps(start: string, steps: Readonly<Record<string, StepInput>>): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    // Own steps only: an id such as "toString" names no step unless the journey has one.
    const step = Object.hasOwn(steps, id) ? steps[id] : undefined;
    if (seen.has(id) || step === undefined) continue;
    seen.add(id);
    queue.push(...targetsOf(step));
  }
  return seen;
}

/** The steps a step leads to, read from the fields that name them. */
export function targetsOf(step: StepInput): string[] {
  const listed = [
    ...('branches' in step ? step.branches : []),
    ...('variants' in step ? step.variants : []),
    ...('onOutcome' in step ? (step.onOutcome?.branches ?? []) : []),
  ];
  const own = [
    'next' in step ? step.next : undefined,
    'otherwise' in step ? step.otherwise : undefined,
    'onEvent' in step ? step.onEvent : undefined,
    'onTimeout' in step ? step.onTimeout : undefined,
    'onError' in step ? step.onError : undefined,
  ];
  return [...listed.map((b) => b.next), ...own].filter((to): to is string => typeof to === 'string');
}
