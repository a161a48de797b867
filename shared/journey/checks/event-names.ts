import { formatPath, type Violation, violation } from '../violations.ts';
import { journeyConditions } from './conditions.ts';
import type { CheckContext } from './context.ts';

/** An event name the journey uses, and where. */
type NamedEvent = { at: PropertyKey[]; name: string };

/** Every event name the journey reacts to or counts: trigger, goal, exits, waits and `performed`. */
function eventNames(context: CheckContext): NamedEvent[] {
  const out: NamedEvent[] = [];
  if (context.trigger?.type === 'event') out.push({ at: ['trigger', 'event'], name: context.trigger.event });
  if (context.goal !== undefined) out.push({ at: ['goal', 'event'], name: context.goal.event });
  context.exitOn?.forEach((exit, i) => {
    out.push({ at: ['exitOn', i, 'event'], name: exit.event });
  });
  for (const [id, step] of Object.entries(context.steps))
    if (step.type === 'waitForEvent') out.push({ at: ['steps', id, 'event'], name: step.event });
  for (const { at, condition } of journeyConditions(context))
    if ('performed' in condition) out.push({ at: [...at, 'performed'], name: condition.performed });
  return out;
}

/**
 * Event names are matched with their letter case (names.ts): a journey that
 * names one event in two casings ("Order Completed" to enter, "order
 * completed" as its goal) reacts to two events, and one of the two is
 * usually never sent. Each later spelling is named with the first.
 */
export function eventSpellingWarnings(context: CheckContext): Violation[] {
  const first = new Map<string, NamedEvent>();
  const found: Violation[] = [];
  for (const named of eventNames(context)) {
    const folded = named.name.toLocaleLowerCase('en-US');
    const earlier = first.get(folded);
    if (earlier === undefined) first.set(folded, named);
    else if (earlier.name !== named.name)
      found.push(
        violation(
          named.at,
          'event.spelling',
          `"${named.name}" differs only in letter case from "${earlier.name}" (${formatPath(earlier.at)}): event names are matched with their case, so these are two events and customers' events match one of them only. Spell them alike if they are the same event.`,
        ),
      );
  }
  return found;
}
