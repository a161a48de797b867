import { cyclicComponents, edgesOf, reachableFrom } from '../../../shared/journey/graph.ts';
import { Step } from '../../../shared/journey/schema.ts';
import type { StepInput } from './context.ts';
import { type ImportLog, pathOf } from './notes.ts';

/**
 * Refuses a journey whose customers can go round activities with no way out.
 * Pinpoint kept such customers until the journey ended (its `Schedule.EndTime`);
 * a journey here ends each customer's run at an exit step, and has no branch
 * on a date or on a count of rounds, so the import would give a journey that
 * never validates. Each loop is named by its Pinpoint activities.
 */
export function refuseLoopsWithoutWayOut(
  start: string,
  steps: Readonly<Record<string, StepInput>>,
  activityOf: ReadonlyMap<string, string>,
  endTime: string | undefined,
  log: ImportLog,
): void {
  const parsed: Record<string, Step> = Object.create(null);
  for (const [id, step] of Object.entries(steps)) {
    const result = Step.safeParse(step);
    // A step that does not parse is noted for its activity, and the journey does not validate until it is fixed.
    if (!result.success) return;
    parsed[id] = result.data;
  }
  const order = reachableFrom(start, parsed);
  const canEnd = stepsThatCanEnd(parsed);
  const stuck = order.filter((id) => !canEnd.has(id));
  for (const loop of cyclicComponents(stuck, parsed)) {
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
function stepsThatCanEnd(steps: Readonly<Record<string, Step>>): Set<string> {
  const canEnd = new Set(Object.keys(steps).filter((id) => steps[id]?.type === 'exit'));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, step] of Object.entries(steps)) {
      if (canEnd.has(id) || !edgesOf(step).some((e) => canEnd.has(e.to))) continue;
      canEnd.add(id);
      grew = true;
    }
  }
  return canEnd;
}
