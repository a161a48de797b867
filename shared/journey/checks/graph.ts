import { cyclicComponents, edgesOf, isWaiting, reachableFrom } from '../graph.ts';
import type { Step } from '../schema.ts';
import { type Violation, violation } from '../violations.ts';
import type { CheckContext } from './context.ts';

/** Dangling `start` and `next`-like references. */
export function checkReferences({ steps, stepIds, start }: CheckContext): Violation[] {
  const out: Violation[] = [];
  if (start !== undefined && !stepIds.has(start)) {
    out.push(
      violation(
        ['start'],
        'start.dangling',
        `The journey starts at "${start}", but there is no step with that id.`,
      ),
    );
  }
  for (const [id, step] of Object.entries(steps)) {
    for (const edge of edgesOf(step)) {
      if (stepIds.has(edge.to)) continue;
      out.push(
        violation(
          ['steps', id, ...edge.field],
          'next.dangling',
          `Goes to "${edge.to}", but there is no step with that id.`,
        ),
      );
    }
  }
  return out;
}

/** Steps no customer can reach from `start`. */
export function checkReachability({ steps, stepIds, start, salvaged }: CheckContext): Violation[] {
  if (start === undefined || !(start in steps)) return [];
  const reachable = new Set(reachableFrom(start, steps));
  // A reachable step that failed the schema (or lost a broken branch) has unknown edges: what it might reach is not reported.
  const reachesInvalid = [...reachable].some((id) => {
    const step = steps[id];
    if (salvaged?.has(id)) return true;
    return step !== undefined && edgesOf(step).some((e) => stepIds.has(e.to) && !(e.to in steps));
  });
  if (reachesInvalid || (!(start in steps) && stepIds.has(start))) return [];
  return [...stepIds]
    .filter((id) => !reachable.has(id))
    .map((id) =>
      violation(
        ['steps', id],
        'step.unreachable',
        `No customer can reach step "${id}": nothing leads to it from the start.`,
      ),
    );
}

/** Steps from which no exit can be reached: customers would stay in the journey forever. */
export function checkEndings({ steps, start, salvaged }: CheckContext): Violation[] {
  if (start === undefined || !(start in steps)) return [];
  const canEnd = stepsThatCanEnd(steps);
  return reachableFrom(start, steps)
    .filter((id) => !canEnd.has(id) && !salvaged?.has(id))
    .filter((id) => {
      const step = steps[id];
      return step !== undefined && edgesOf(step).every((e) => e.to in steps);
    })
    .map((id) =>
      violation(
        ['steps', id],
        'path.never-ends',
        `From step "${id}" no path reaches an exit: customers would never leave.`,
      ),
    );
}

function stepsThatCanEnd(steps: Readonly<Record<string, Step>>): Set<string> {
  const canEnd = new Set(Object.keys(steps).filter((id) => steps[id]?.type === 'exit'));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, step] of Object.entries(steps)) {
      if (canEnd.has(id)) continue;
      // A step whose target failed the schema is given the benefit of the doubt.
      if (edgesOf(step).some((e) => canEnd.has(e.to) || !(e.to in steps))) {
        canEnd.add(id);
        grew = true;
      }
    }
  }
  return canEnd;
}

/** Loops with no wait on them: a customer would spin through them at full speed. */
export function checkBusyLoops({ steps }: CheckContext): Violation[] {
  const nonWaiting = Object.keys(steps).filter((id) => {
    const step = steps[id];
    return step !== undefined && !isWaiting(step);
  });
  return cyclicComponents(nonWaiting, steps).map((component) => {
    const loop = roundOrder(component, steps);
    return violation(
      ['steps', loop[0] ?? ''],
      'cycle.no-wait',
      `Steps ${[...loop, loop[0]].map((id) => `"${id}"`).join(' → ')} form a loop with no wait that always takes time: add a wait with a "for" longer than zero, or a waitForEvent step, to the loop (a wait until a date is over once the date has passed, and a window alone ends at once while it is open).`,
    );
  });
}

/**
 * The loop's steps in the order a customer goes round, from its first id (so
 * the same loop reads the same): each step's first way on that stays in the
 * loop, then any member that way missed.
 */
function roundOrder(component: readonly string[], steps: Readonly<Record<string, Step>>): string[] {
  const members = new Set(component);
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    order.push(id);
    const step = steps[id];
    if (step === undefined) return;
    for (const edge of edgesOf(step)) if (members.has(edge.to)) visit(edge.to);
  };
  const first = [...component].sort()[0];
  if (first !== undefined) visit(first);
  for (const id of component) visit(id);
  return order;
}
