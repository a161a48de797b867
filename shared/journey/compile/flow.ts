import { edgesOf } from '../graph.ts';
import type { Journey } from '../schema.ts';

/**
 * The steps at which `$.event` surely holds an awaited event: every path from
 * the start to them leaves a waitForEvent through onEvent. Only there may a
 * task input read `$.event` (a missing path fails the execution).
 * A greatest fixpoint over the reachable steps.
 */
export function stepsWithEvent(
  journey: Pick<Journey, 'start' | 'steps'>,
  reachable: readonly string[],
): Set<string> {
  const incoming = new Map<string, { from: string; delivers: boolean }[]>();
  for (const from of reachable) {
    const step = journey.steps[from];
    if (step === undefined) continue;
    for (const edge of edgesOf(step)) {
      const delivers = step.type === 'waitForEvent' && edge.field[0] === 'onEvent';
      incoming.set(edge.to, [...(incoming.get(edge.to) ?? []), { from, delivers }]);
    }
  }
  const has = new Set(reachable.filter((id) => id !== journey.start));
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of [...has]) {
      const sources = incoming.get(id) ?? [];
      if (sources.length > 0 && sources.every((e) => e.delivers || has.has(e.from))) continue;
      has.delete(id);
      changed = true;
    }
  }
  return has;
}

/**
 * The waitForEvent steps an enrollment may reach after a wait for the same
 * event was answered (on a loop back to the step, or two waits in a row):
 * `$.event` may then hold that answer, which is not theirs.
 */
export function waitsAfterAnswer(
  journey: Pick<Journey, 'start' | 'steps'>,
  reachable: readonly string[],
): Set<string> {
  const waits = new Set<string>();
  for (const from of reachable) {
    const wait = journey.steps[from];
    if (wait?.type !== 'waitForEvent') continue;
    const seen = new Set<string>();
    const queue = [wait.onEvent];
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      const step = journey.steps[id];
      if (seen.has(id) || step === undefined) continue;
      seen.add(id);
      if (step.type === 'waitForEvent' && step.event === wait.event) waits.add(id);
      for (const edge of edgesOf(step)) queue.push(edge.to);
    }
  }
  return waits;
}
