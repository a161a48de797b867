import { MAX_ALIAS_HOPS } from '#functions/_lib/identity-item.ts';
import { logger } from '#functions/_lib/observability.ts';
import type { RecordedEvent } from '#functions/_lib/profiles.ts';
import type { AliasEvent, CustomerEvent, EventProblem } from '#shared/events.ts';
import type { ProfileChanges } from '#shared/profile/changes.ts';
import { profileKeys } from '#shared/tables.ts';
import type { IngestDeps } from './ingest.ts';

type Deps = Pick<IngestDeps, 'profiles' | 'identities'>;

/**
 * Records an event on the profile its key stands for: a key merged into
 * another (an anonymous id after identify, an id after alias) forwards to
 * it. Then an identify carrying both ids merges the anonymous profile into
 * the known one (once; see functions/_lib/identity.ts), and the state
 * returned is the profile after the merge.
 */
export async function recordOnProfile(
  deps: Deps,
  event: CustomerEvent,
  changes: ProfileChanges,
  now: Date,
  counted?: ReadonlySet<string>,
  /** The event may owe counts once taken: the write marks them (report-pending.ts). */
  owes = false,
): Promise<{ userId: string; recorded: RecordedEvent }> {
  let current = changes;
  for (let hop = 0; hop <= MAX_ALIAS_HOPS; hop++) {
    const recorded = await deps.profiles.recordEvent(current, now, counted, owes);
    const { aliasOf } = recorded;
    if (aliasOf === undefined)
      return { userId: current.userId, recorded: await merged(deps, event, current.userId, recorded) };
    // A redelivery the merged profile had already seen: nothing to record, the rest plans on the joined profile.
    if (recorded.duplicate)
      return { userId: aliasOf, recorded: { ...recorded, state: await deps.profiles.get(aliasOf) } };
    current = { ...current, userId: aliasOf };
  }
  throw new Error(`profile ${changes.userId}: alias chain longer than ${MAX_ALIAS_HOPS} ids`);
}

function warnChannelInstead(reason: string) {
  logger.warn('topic opt-outs of a merged profile applied to the whole channel', { reason });
}

async function merged(deps: Deps, event: CustomerEvent, userId: string, recorded: RecordedEvent) {
  if (event.type !== 'identify' || event.userId === undefined || event.anonymousId === undefined)
    return recorded;
  const outcome = await deps.identities.merge(profileKeys.anonymous(event.anonymousId), userId);
  if (outcome.status !== 'merged') return recorded;
  // Topic opt-outs past the cap opted out of the whole channel: reported with the event, like any left out.
  for (const reason of outcome.channelsInstead) warnChannelInstead(reason);
  const instead = outcome.channelsInstead.map((reason) => ({ trait: 'consent', reason }));
  return {
    ...recorded,
    droppedTraits: [...recorded.droppedTraits, ...instead],
    state: await deps.profiles.get(userId),
  };
}

/** Where an alias call came from: a source trusted to merge two known customers, or not. */
export type AliasOrigin = { trusted: boolean; source: string | undefined };

/**
 * An alias call: the profile of `previousId` joins `userId`'s. Segment sends
 * either an anonymousId or an earlier userId as `previousId`, so both keys
 * are merged (a key with no profile just becomes an alias). Problems are
 * returned for the rejected queue: a merge that would close a loop is refused.
 * `duplicate`: the alias was recorded already (a redelivery, a retry).
 *
 * From a source not trusted with known ids (`aliasTrustedSources`), only the
 * anonymous visitor's id joins: a `previousId` that is a known customer's
 * profile refuses the whole call, before anything is written, and a userId
 * with no profile is not made an alias (it would take that customer's events
 * the day they arrive).
 */
export async function mergeAlias(
  deps: Deps,
  event: AliasEvent,
  now: Date,
  origin: AliasOrigin = { trusted: false, source: undefined },
): Promise<{ problems: EventProblem[]; duplicate: boolean }> {
  const into = profileKeys.known(event.userId);
  const previous = profileKeys.known(event.previousId);
  const refused =
    !origin.trusted && previous !== into && (await deps.identities.standing(previous)) === 'profile';
  if (refused)
    return { problems: [{ field: 'previousId', message: knownRefusal(event, origin) }], duplicate: false };
  // Recorded on the known profile first: a profile of an older layout is migrated before anything joins it.
  const recorded = await deps.profiles.recordEvent(
    {
      userId: await deps.identities.resolve(into),
      messageId: event.messageId,
      timestamp: new Date(event.timestamp).toISOString(),
      traits: {},
      pushTokens: [],
      consent: [],
      topics: [],
      droppedTraits: [],
    },
    now,
  );
  const problems: EventProblem[] = [];
  const froms = origin.trusted ? [previous] : [];
  for (const from of [...froms, profileKeys.anonymous(event.previousId)]) {
    const outcome = await deps.identities.merge(from, into);
    if (outcome.status === 'refused') problems.push({ field: 'previousId', message: outcome.reason });
    // The merge happened: the alias is not refused, but what it did to consent is said.
    if (outcome.status === 'merged') for (const reason of outcome.channelsInstead) warnChannelInstead(reason);
  }
  return { problems, duplicate: recorded.duplicate };
}

function knownRefusal(event: AliasEvent, { source }: AliasOrigin): string {
  const from = source === undefined ? 'a source not named' : `source ${source}`;
  return (
    `${event.previousId} is a known customer's profile: an alias merges two known customers only from ` +
    `a source listed in the aliasTrustedSources setting (this one came from ${from}), so that no client ` +
    "can take over another customer's profile; an anonymous visitor's id merges from any source"
  );
}
