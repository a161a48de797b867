import type { Journey } from '../journey/schema.ts';
import type { Violation } from '../journey/violations.ts';
import { awaitedNames, countedNames, type LiveJourney } from './live-journey.ts';

/**
 * What journeys add to every profile, held to a share of the item at deploy:
 * daily counts for each event name a journey counts over a window (about
 * 2 KB per name at the longest names), and a waiting summary for each event
 * name a step waits for (about 0.2 KB). Live journeys change over the years;
 * without a limit on the distinct names they count and await together, every
 * profile would grow with the journeys' history. A journey that would take
 * them past it is rejected, naming the field, and the live version stays.
 * Archived journeys count for nothing (they enroll no one).
 */

/** Distinct event names all live journeys together count over a window (`performed … within`). */
export const MAX_COUNTED_EVENT_NAMES = 30;
/** Distinct event names all live journeys' `waitForEvent` steps together wait for. */
export const MAX_AWAITED_EVENT_NAMES = 50;

/** What a journey takes of the share: a live journey, or a deploy's claim (functions/_lib/share-claims.ts). */
export type ShareHolder = Pick<LiveJourney, 'journeyId' | 'status' | 'counts' | 'awaits'>;

/** The names the other live journeys take (a journey deployed before they were recorded takes none it can say). */
function taken(others: readonly ShareHolder[], pick: (j: ShareHolder) => readonly string[] | undefined) {
  const names = new Set<string>();
  for (const journey of others)
    if (journey.status !== 'archived') for (const n of pick(journey) ?? []) names.add(n);
  return names;
}

function overShare(
  mine: ReadonlyMap<string, string>,
  theirs: ReadonlySet<string>,
  limit: number,
  what: { doing: string; verb: string },
): Violation[] {
  const added = [...mine].filter(([name]) => !theirs.has(name));
  const total = theirs.size + added.length;
  const room = Math.max(0, limit - theirs.size);
  return added.slice(room, room + 5).map(([name, path]) => ({
    path,
    code: 'profile.share' as const,
    message: `"${name}" would make ${total} distinct events that live journeys ${what.doing}: every customer profile keeps data for each, so together they ${what.verb} at most ${limit} (the other live journeys ${what.verb} ${theirs.size}). Use an event they already ${what.verb}, or archive a journey that no longer needs its own.`,
  }));
}

/** Why deploying `journey` would take the live journeys past the profile's share, with the paths. */
export function profileShareViolations(journey: Journey, live: readonly ShareHolder[]): Violation[] {
  if (journey.status === 'archived') return [];
  const others = live.filter((j) => j.journeyId !== journey.id);
  return [
    ...overShare(
      countedNames(journey),
      taken(others, (j) => j.counts),
      MAX_COUNTED_EVENT_NAMES,
      { doing: 'count over a window', verb: 'count' },
    ),
    ...overShare(
      awaitedNames(journey),
      taken(others, (j) => j.awaits),
      MAX_AWAITED_EVENT_NAMES,
      { doing: 'wait for', verb: 'await' },
    ),
  ];
}

/** The names a journey takes of the share, as a deploy registers them. */
export function shareOf(journey: Journey): { counts: string[]; awaits: string[] } {
  if (journey.status === 'archived') return { counts: [], awaits: [] };
  return { counts: [...countedNames(journey).keys()], awaits: [...awaitedNames(journey).keys()] };
}

/**
 * What each journey takes: its claim where it has one, else its live entry
 * (a journey deployed before claims were registered).
 */
export function shareHolders(
  live: readonly ShareHolder[],
  claims: ReadonlyMap<string, ShareHolder>,
): ShareHolder[] {
  return [...claims.values(), ...live.filter((j) => !claims.has(j.journeyId))];
}
