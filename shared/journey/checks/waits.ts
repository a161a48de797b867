import { durationSeconds, MAX_EXECUTION_SECONDS } from '../../time.ts';
import { edgesOf } from '../graph.ts';
import type { Step } from '../schema.ts';
import { type Violation, violation } from '../violations.ts';
import type { CheckContext } from './context.ts';

/** Seconds a step can hold a customer at most, when known at design time. */
function holdSeconds(step: Step): number {
  if (step.type === 'wait' && step.for !== undefined) return durationSeconds(step.for) ?? 0;
  if (step.type === 'waitForEvent') return durationSeconds(step.timeout) ?? 0;
  return 0;
}

/**
 * The total wait on the longest path must fit in one Step Functions
 * execution (one year). Loops are not followed: each step counts once.
 */
export function checkTotalWait({ steps, start }: CheckContext): Violation[] {
  if (start === undefined || !(start in steps)) return [];
  const longest = new Map<string, { total: number; via?: string }>();
  const visiting = new Set<string>();
  const measure = (id: string): number => {
    const known = longest.get(id);
    if (known !== undefined) return known.total;
    const step = steps[id];
    if (step === undefined || visiting.has(id)) return 0;
    visiting.add(id);
    let best = { total: 0, via: undefined as string | undefined };
    for (const edge of edgesOf(step)) {
      const total = measure(edge.to);
      if (total > best.total || best.via === undefined) best = { total, via: edge.to };
    }
    visiting.delete(id);
    const result = { total: holdSeconds(step) + best.total, via: best.via };
    longest.set(id, result);
    return result.total;
  };
  const total = measure(start);
  if (total <= MAX_EXECUTION_SECONDS) return [];
  // Walk the longest path to the step where the year runs out.
  let elapsed = 0;
  let id: string | undefined = start;
  const seen = new Set<string>();
  while (id !== undefined && !seen.has(id)) {
    seen.add(id);
    const step: Step | undefined = steps[id];
    if (step === undefined) break;
    elapsed += holdSeconds(step);
    if (elapsed > MAX_EXECUTION_SECONDS) break;
    id = longest.get(id)?.via;
  }
  const days = Math.round(total / 86400);
  return [
    violation(
      ['steps', id ?? start],
      'wait.too-long',
      `Waits on the longest path add up to about ${days} days; a journey run can last at most 365 days. Shorten the waits on this path.`,
    ),
  ];
}

/**
 * A wait for an event that always ends the enrollment first: an `exitOn`
 * matcher with no `where`, or a goal with no `where` and no window that
 * exits. The exit wins, so the wait's `onEvent` path never runs. A warning:
 * the journey runs, but not as drawn.
 */
export function awaitedExitWarnings({ steps, exitOn, goal }: CheckContext): Violation[] {
  const ends = new Map<string, string>();
  for (const [index, matcher] of (exitOn ?? []).entries())
    if (matcher.where === undefined && !ends.has(matcher.event)) ends.set(matcher.event, `exitOn[${index}]`);
  if (goal !== undefined && goal.where === undefined && goal.within === undefined && goal.exit !== false)
    if (!ends.has(goal.event)) ends.set(goal.event, 'the goal');
  const found: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'waitForEvent') continue;
    const by = ends.get(step.event);
    if (by === undefined) continue;
    found.push(
      violation(
        ['steps', id, 'event'],
        'wait.exits',
        `every "${step.event}" ends the enrollment (${by}) before this wait sees it: its onEvent step "${step.onEvent}" never runs. Give ${by} a "where" that leaves this case out, or wait for another event.`,
      ),
    );
  }
  return found;
}
