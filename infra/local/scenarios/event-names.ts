import { closestField } from '#shared/journey/violations.ts';
import { canonicalName } from '#shared/names.ts';
import type { JourneyJson } from './journey-files.ts';
import type { ReferenceProblem } from './references.ts';
import type { Scenario } from './scenario.ts';

/**
 * The events a scenario's customers `track` against the event names its
 * journeys react to (a trigger, a goal, an exit, an awaited event, an
 * event-history condition). An event no journey names may be meant (it shows
 * that something unrelated changes nothing), but one a slip away from a name
 * they use — `Cart Emptyed` beside `Cart Emptied`, `order completed` beside
 * `Order Completed` — is a typo that would play nothing and could let a
 * `noMessage` or an `outcome` pass: it is refused with the name meant.
 */
export function eventNameProblems(
  scenario: Scenario,
  journeys: ReadonlyMap<string, JourneyJson | string>,
): ReferenceProblem[] {
  const known = new Set<string>();
  for (const id of scenario.journeys) {
    const journey = journeys.get(id);
    if (journey !== undefined && typeof journey !== 'string') collect(journey, known);
  }
  for (const event of scenario.events)
    if ('deploy' in event)
      for (const [path, value] of Object.entries(event.set ?? {})) {
        const key = path.split('.').at(-1) ?? path;
        if (EVENT_KEYS.has(key) && typeof value === 'string') known.add(canonicalName(value));
        else collect(value, known);
      }
  const out: ReferenceProblem[] = [];
  scenario.events.forEach((event, i) => {
    if (!('track' in event)) return;
    const name = canonicalName(event.track);
    if (known.has(name)) return;
    const meant = closestField(name, known);
    if (meant !== undefined)
      out.push({
        path: `events[${i}].track`,
        message: `no journey of the scenario reacts to "${event.track}" (did you mean "${meant}"?); event names are compared as written, letter case included`,
      });
  });
  return out;
}

/** The fields whose text is an event name a journey listens for: `event` (trigger, goal, exitOn, waitForEvent) and `performed`. */
const EVENT_KEYS: ReadonlySet<string> = new Set(['event', 'performed']);

/** Every event name a journey file (or a part of one) gives, at any depth. */
function collect(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collect(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const [key, inner] of Object.entries(value)) {
      if (EVENT_KEYS.has(key) && typeof inner === 'string') into.add(canonicalName(inner));
      else collect(inner, into);
    }
}
