import { cyclicComponentsOf } from '../../../shared/journey/graph.ts';
import type { StepInput } from './context.ts';
import { type ImportLog, pathOf } from './notes.ts';
import { reachableSteps, targetsOf } from './reachable.ts';

/**
 * Refuses a journey whose customers can go round activities with no way out.
 * Pinpoint kept such customers until the journey ended (its `Schedule.EndTime`);
 * a journey here ends each customer's run at an exit step, and has no branch
 * on a date or on a count of rounds, so the import would give a journey that
 * never validates. Each loop is named by its Pinpoint activities. Steps are
 * followed as written: a step that does not validate (a split without its
 * weights) still leads where it says, and a loop through it is still one.
 */
export function refuseLoopsWithoutWayOut(
  start: string,
  steps: Readonly<Record<string, StepInput>>,
  activityOf: ReadonlyMap<string, string>,
  endTime: string | undefined,
  log: ImportLog,
): void {
  const order = [...reachableSteps(start, steps)];
  const canEnd = stepsThatCanEnd(steps);
  const stuck = order.filter((id) => !canEnd.has(id));
  const next = (id: string): string[] => {
    const step = Object.hasOwn(steps, id) ? steps[id] : undefined;
    return step === undefined ? [] : targetsOf(step);
  };
  for (const loop of cyclicComponentsOf(stuck, next)) {
    const members = new Set(loop);
    const activities = [
      ...new Set(order.filter((id) => members.has(id)).flatMap((id) => activityOf.get(id) ?? [])),
    ];
    const [first] = activities;
    if (first === undefined) continue;
    const names = activities.map((a) => `"${a}"`).join(' → ');
    const until =
      endTime === undefined
        ? 'for as long as the journey ran (it has no Schedule.EndTime)'
        : `until the journey ended (Schedule.EndTime ${endTime})`;
    log.problem(
      pathOf('Activities', first),
      `Customers go round ${names} → back to "${first}" with no way out: Pinpoint kept them there ${until}. A journey here ends each customer's run at an exit and cannot leave a loop on a date or after a number of rounds, so this one would never validate. Give the loop a way out in the export (a ConditionalSplit in it whose FalseActivity leaves the loop, or a NextActivity past it) and import it again.`,
    );
  }
}

/** The steps from which some path reaches an exit step. */
function stepsThatCanEnd(steps: Readonly<Record<string, StepInput>>): Set<string> {
  const canEnd = new Set(Object.keys(steps).filter((id) => steps[id]?.type === 'exit'));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, step] of Object.entries(steps)) {
      if (canEnd.has(id) || !targetsOf(step).some((to) => canEnd.has(to))) continue;
      canEnd.add(id);
      grew = true;
    }
  }
  return canEnd;
}
