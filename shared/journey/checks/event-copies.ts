import { stepsWithEvent } from '../compile/flow.ts';
import { reachableFrom } from '../graph.ts';
import { copiedValues } from '../requirements.ts';
import type { Step } from '../schema.ts';
import { type Violation, violation } from '../violations.ts';
import type { CheckContext } from './context.ts';

/** The values a step's Task copies with a Step Functions path, by the field and key they sit at. */
function copies(step: Step): { field: string; key: string; from: string }[] {
  // An updateContext's copy of a missing path sets null: it fails nothing.
  if (step.type === 'updateContext') return [];
  return copiedValues(step).map(({ at: [field, key], from }) => ({ field, key, from }));
}

/**
 * An `event.*` value is copied (updateProfile, emit, webhook) only where an
 * awaited event is surely at hand: every path to the step leaves a
 * waitForEvent through onEvent. Elsewhere (before any wait, after a timeout
 * with no answer before it) the path is missing and the copy would fail the
 * execution with States.Runtime, which no failure policy catches.
 */
export function checkEventCopies({ steps, start }: CheckContext): Violation[] {
  if (start === undefined || !Object.hasOwn(steps, start)) return [];
  const reachable = reachableFrom(start, steps);
  const withEvent = stepsWithEvent({ start, steps }, reachable);
  const out: Violation[] = [];
  for (const id of reachable) {
    const step = steps[id];
    if (step === undefined || withEvent.has(id)) continue;
    for (const copy of copies(step))
      if (copy.from.startsWith('event.'))
        out.push(
          violation(
            ['steps', id, copy.field, copy.key, 'from'],
            'value.source',
            `"${copy.from}" is copied where no awaited event may be at hand: this step can be reached without a waitForEvent's onEvent (before any wait, or after a timeout), and the missing value would fail the execution. Copy it in a step every path reaches through onEvent, or into a context variable with updateContext, which sets null when it is missing.`,
          ),
        );
  }
  return out;
}
