import { fnv1a32 } from '../hash.ts';

/**
 * A provider that throttles (SES past the account's sending rate, End User
 * Messaging past its throughput) says it did not take the message: it is
 * sent later, not dropped. Step Functions retries a throttled send with
 * backoff for about two minutes; a throttle that lasts longer (a segment
 * entering thousands at once against an SES rate of 14 a second) defers the
 * send instead, for longer each time, and the send fails only once the
 * provider has refused it for a day.
 */

/** How long the provider has been throttling one send. */
export type ThrottleStreak = {
  /** Attempts throttled since the send was last deferred for it. */
  count: number;
  /** How often the send was deferred for it. */
  deferrals: number;
  /** Since when (epoch ms) the provider has throttled it. */
  since: number;
};

/** Throttled attempts in a row that defer the send: below Step Functions' 7, so other transient errors keep a margin. */
export const THROTTLES_BEFORE_DEFERRAL = 5;
/** How long a throttled send keeps being deferred before it fails. */
export const THROTTLE_GIVE_UP_MS = 24 * 3_600_000;
/** Deferrals at most, whatever the clock says: about a day of them at their longest spread. */
export const MAX_THROTTLE_DEFERRALS = 30;
const FIRST_DEFERRAL_MS = 5 * 60_000;
const LONGEST_DEFERRAL_MS = 60 * 60_000;

export type ThrottleDecision = {
  /** The streak to record with this attempt. */
  streak: ThrottleStreak;
  /** When to try again, when the send is deferred rather than retried (or failed). */
  until?: Date;
};

/**
 * What a throttled attempt of send `deliveryId` does: counted towards the
 * deferral, or deferred (5 minutes, doubling to an hour, each send spread
 * over half to one and a half times that by its id, so sends throttled
 * together do not come back together), until a day after the first throttle.
 */
export function afterThrottle(
  deliveryId: string,
  previous: ThrottleStreak | undefined,
  now: Date,
): ThrottleDecision {
  const since = previous?.since ?? now.getTime();
  const deferrals = previous?.deferrals ?? 0;
  const count = (previous?.count ?? 0) + 1;
  const givenUp = now.getTime() - since >= THROTTLE_GIVE_UP_MS || deferrals >= MAX_THROTTLE_DEFERRALS;
  if (count < THROTTLES_BEFORE_DEFERRAL || givenUp) return { streak: { count, deferrals, since } };
  const base = Math.min(FIRST_DEFERRAL_MS * 2 ** deferrals, LONGEST_DEFERRAL_MS);
  const spread = 0.5 + (fnv1a32(`${deliveryId}\u0000${deferrals}`) % 1000) / 1000;
  return {
    streak: { count: 0, deferrals: deferrals + 1, since },
    until: new Date(now.getTime() + Math.round(base * spread)),
  };
}
