import { hex128 } from '#shared/hash.ts';
import type { ProfileState, Waiter, WaitingSummary } from '#shared/profile/state.ts';
import type { UpdateBuilder } from './expression.ts';
import { attr, nameKey } from './profile-item.ts';

/**
 * The profile's summary of the steps waiting for an event, which ingest reads
 * instead of querying the waiter items: an event nobody waits for costs no
 * read. Per event name it is a set of the registrations' digests (`ws:`),
 * not a count: adding a digest and taking it out are each idempotent, so a
 * write retried after a fault (landed or not) neither counts a step twice
 * nor takes another step's place, and a step whose registration never
 * counted takes nothing back when it goes.
 *
 * - A registration adds its digest (the waiter item is written first).
 * - A removal deletes the waiter item, then takes its digest out.
 * - Past MAX_WAITING_STEPS digests, a registration writes its digest as the
 *   event's overflow mark (`wo:` and the name's key) instead: the event is then always looked
 *   for, until ingest finds every waiter in the set again.
 * - Ingest, when it looks, takes out the digests it found no waiter for (a
 *   removal that failed after deleting its item, a registration replaced by
 *   its retry): a digest in the profile it read had its waiter written before
 *   that read, so the query after it finds every one still there.
 * - The count profiles kept before (`wf:`) is read as before and no longer
 *   written; ingest drops it when every waiter it finds has a digest.
 */

/** Digests kept per event (8 bytes each): more steps of one customer waiting for one event set the overflow mark. */
export const MAX_WAITING_STEPS = 8;

/** The digest of one registration of a waiting step, 48 bits in 8 characters (a retried task has a new token, so a new digest). */
export function waiterDigest(waiter: Pick<Waiter, 'enrollmentId' | 'stepId' | 'token'>): string {
  const hex = hex128(`${waiter.enrollmentId}\n${waiter.stepId}\n${waiter.token}`).slice(0, 12);
  return Buffer.from(hex, 'hex').toString('base64url');
}

/** The overflow mark of an event in a profile, if a step set it. */
export function overflowOf(state: ProfileState, event: string): string | undefined {
  return state.waitingOverflow?.[nameKey(event)];
}

/** Whether an event must be looked for: a step is counted as waiting for it, or its digests overflowed. */
export function waitsFor(state: ProfileState, event: string): boolean {
  return (state.waitingFor[event] ?? 0) > 0 || overflowOf(state, event) !== undefined;
}

/** The write that counts a registration, and its condition: room in the set, or the digest already in it. */
export function countRegistration(b: UpdateBuilder, event: string, digest: string): string {
  const steps = b.name(attr.waitingSteps(event));
  const d = b.value(digest);
  b.add(attr.waitingSteps(event), new Set([digest]));
  return `attribute_not_exists(${steps}) OR size(${steps}) < ${b.value(MAX_WAITING_STEPS)} OR contains(${steps}, ${d})`;
}

/** What ingest found for one event under the profile's own key: the digests of the waiters there. */
export type WaitingCorrection = {
  /** Digests in the summary with no waiter: taken out. */
  stale: string[];
  /** Every waiter found has its digest in the set: the overflow mark and the older count go. */
  covered: boolean;
};

/** Compares a profile's summary for an event with the waiters a query found under its key. */
export function correctionOf(
  state: ProfileState,
  event: string,
  found: readonly Pick<Waiter, 'enrollmentId' | 'stepId' | 'token'>[],
): WaitingCorrection | undefined {
  const summary: WaitingSummary = state.waiting?.[event] ?? { steps: [] };
  const foundDigests = new Set(found.map(waiterDigest));
  const inSet = new Set(summary.steps);
  const stale = summary.steps.filter((d) => !foundDigests.has(d));
  const covered = [...foundDigests].every((d) => inSet.has(d));
  const marks = overflowOf(state, event) !== undefined || summary.legacy !== undefined;
  if (stale.length === 0 && !(covered && marks)) return undefined;
  return { stale, covered };
}
