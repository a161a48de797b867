import type { RegistryRepository } from '#functions/_lib/registry.ts';
import type { ShareClaims } from '#functions/_lib/share-claims.ts';
import {
  profileShareViolations,
  type ShareHolder,
  shareHolders,
  shareOf,
} from '#shared/ingest/profile-share.ts';
import type { Journey } from '#shared/journey/schema.ts';
import type { Violation } from '#shared/journey/validate.ts';

/** Registrations that may pass another's between a read and a write before a deploy gives up (and is retried). */
const ATTEMPTS = 10;

/** A registration: the violations when refused, and how to undo it when a later check refuses the deploy. */
export type ShareRegistration = { violations: Violation[]; undo: () => Promise<void> };

/**
 * Checks that a journey fits the profile's share and registers what it takes,
 * as one step (share-claims.ts): of two deploys at once whose names fit
 * alone but not together, one is refused with `profile.share`. A refused
 * journey's claim is as it was before.
 */
export async function claimShare(
  registry: RegistryRepository,
  claims: ShareClaims,
  journey: Journey,
): Promise<ShareRegistration> {
  const mine = { journeyId: journey.id, ...shareOf(journey) };
  let before: ShareHolder | undefined;
  const undo = () => restore(claims, journey.id, before);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const version = await claims.version();
    const held = await claims.claims();
    if (attempt === 0) before = held.get(journey.id);
    // An archived journey takes nothing: its places are free (lowering needs no registration).
    if (journey.status === 'archived') {
      await claims.release(journey.id);
      return { violations: [], undo };
    }
    const violations = profileShareViolations(journey, shareHolders(await registry.listLive(), held));
    if (violations.length > 0) {
      if (attempt > 0) await undo();
      return { violations, undo };
    }
    await claims.put(mine);
    if (await claims.advance(version)) return { violations: [], undo };
  }
  throw new Error(`journey ${journey.id}: the profile share kept changing under other deploys; deploy again`);
}

/** Puts a journey's claim back as it was before. */
async function restore(claims: ShareClaims, journeyId: string, before: ShareHolder | undefined) {
  if (before === undefined) await claims.release(journeyId);
  else
    await claims.put({ journeyId, counts: [...(before.counts ?? [])], awaits: [...(before.awaits ?? [])] });
}
