import { durationSeconds } from '../time.ts';
import { outcomesOf } from './outcome.ts';
import type { Step } from './schema.ts';

/**
 * The journey as a graph: which steps follow which. Shared by validation,
 * the compiler and the Mermaid renderer.
 */

/** One outgoing edge of a step: the field it comes from and the step it goes to. */
export type Edge = { field: (string | number)[]; to: string; label?: string };

/** Every outgoing edge of a step, in a stable order. */
export function edgesOf(step: Step): Edge[] {
  switch (step.type) {
    case 'email':
    case 'sms':
    case 'push':
      return [
        ...(step.onOutcome?.branches ?? []).map((b, i) => ({
          field: ['onOutcome', 'branches', i, 'next'],
          to: b.next,
          label: outcomesOf(b).join(' / '),
        })),
        { field: ['next'], to: step.next },
      ];
    case 'wait':
    case 'updateProfile':
    case 'emit':
    case 'updateContext':
      return [{ field: ['next'], to: step.next }];
    case 'webhook':
      return step.onError === undefined
        ? [{ field: ['next'], to: step.next }]
        : [
            { field: ['next'], to: step.next, label: '2xx' },
            { field: ['onError'], to: step.onError, label: 'error' },
          ];
    case 'waitForEvent':
      return [
        { field: ['onEvent'], to: step.onEvent, label: step.event },
        { field: ['onTimeout'], to: step.onTimeout, label: 'timeout' },
      ];
    case 'branch':
      return [
        ...step.branches.map((b, i) => ({
          field: ['branches', i, 'next'],
          to: b.next,
          label: b.name ?? `branch ${i + 1}`,
        })),
        { field: ['otherwise'], to: step.otherwise, label: 'otherwise' },
      ];
    case 'split':
      return step.variants.map((v, i) => ({
        field: ['variants', i, 'next'],
        to: v.next,
        label: `${v.name} ${v.weight}%${v.holdout ? ' (holdout)' : ''}`,
      }));
    case 'exit':
      return [];
  }
}

/**
 * Step ids reachable from `start` (including it when it exists), in breadth-first order;
 * `expand` false for a step keeps its edges unfollowed (the step itself is listed).
 */
export function reachableFrom(
  start: string,
  steps: Readonly<Record<string, Step>>,
  expand: (id: string) => boolean = () => true,
): string[] {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift();
    if (id === undefined || seen.has(id)) continue;
    // Own steps only: an id such as "toString" names no step unless the journey has one.
    const step = Object.hasOwn(steps, id) ? steps[id] : undefined;
    if (step === undefined) continue;
    seen.add(id);
    if (expand(id)) for (const edge of edgesOf(step)) queue.push(edge.to);
  }
  return [...seen];
}

/**
 * True for steps that make time pass on every visit (a loop through one is
 * not a busy loop): a `waitForEvent` (its timeout is longer than zero) and a
 * `wait` with a `for` longer than zero. A wait `until` an instant or a profile
 * date is over on the next pass once the date has gone by, and a window alone
 * ends at once while the window is open, so neither keeps a loop from spinning.
 */
export function isWaiting(step: Step): boolean {
  if (step.type === 'waitForEvent') return true;
  return step.type === 'wait' && step.for !== undefined && (durationSeconds(step.for) ?? 0) > 0;
}

/**
 * Strongly connected components (Tarjan) of the subgraph made of `ids`:
 * every component with a cycle is a loop in the journey.
 */
export function cyclicComponents(ids: readonly string[], steps: Readonly<Record<string, Step>>): string[][] {
  return cyclicComponentsOf(ids, (id) => {
    const step = steps[id];
    return step === undefined ? [] : edgesOf(step).map((e) => e.to);
  });
}

/**
 * Strongly connected components (Tarjan) of the subgraph made of `ids`, the
 * edges given by `next`: for graphs whose steps are not parsed yet (an import
 * as written, which may not validate).
 */
export function cyclicComponentsOf(
  ids: readonly string[],
  next: (id: string) => readonly string[],
): string[][] {
  const inSet = new Set(ids);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;

  const successors = (id: string): string[] => next(id).filter((to) => inSet.has(to));

  const visit = (id: string): void => {
    index.set(id, counter);
    low.set(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
    for (const to of successors(id)) {
      if (!index.has(to)) {
        visit(to);
        low.set(id, Math.min(low.get(id) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) {
        low.set(id, Math.min(low.get(id) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(id) !== index.get(id)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== id);
    const selfLoop = component.length === 1 && successors(id).includes(id);
    if (component.length > 1 || selfLoop) components.push(component.sort());
  };

  for (const id of ids) if (!index.has(id)) visit(id);
  return components;
}
