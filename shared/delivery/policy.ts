import type { Channel } from '../channels.ts';
import type { Profile, PushToken } from '../profile/profile.ts';
import {
  addDuration,
  isValidTimeZone,
  nextAllowedTime,
  type QuietHours,
  rollingWindowStart,
} from '../time.ts';

/**
 * Whether, where and when a message may go: consent per channel and topic,
 * the address on the profile, quiet hours in the customer's zone and
 * frequency caps over rolling windows. Pure; send-message applies it.
 */

export type Cap = { channel?: Channel; max: number; within: string };
export type Address =
  | { channel: 'email'; email: string }
  | { channel: 'sms'; phone: string }
  | { channel: 'push'; tokens: PushToken[] };

/** Why a message must not be sent to this customer at all, or `undefined` when consent allows it. */
export function consentBlock(
  profile: Profile,
  channel: Channel,
  options: { topic?: string; transactional: boolean },
): string | undefined {
  const consent = profile.consent[channel];
  if (consent?.status === 'suppressed')
    return `${channel} suppressed${consent.reason ? `: ${consent.reason}` : ''}`;
  if (options.transactional) return undefined;
  if (consent?.status === 'unsubscribed') return `unsubscribed from ${channel}`;
  if (options.topic !== undefined && consent?.topics?.[options.topic] === false) {
    return `unsubscribed from topic ${options.topic}`;
  }
  return undefined;
}

/** The customer's address on a channel, or `undefined` when the profile has none. */
export function addressOf(profile: Profile, channel: Channel): Address | undefined {
  if (channel === 'email') return profile.email === undefined ? undefined : { channel, email: profile.email };
  if (channel === 'sms') return profile.phone === undefined ? undefined : { channel, phone: profile.phone };
  const tokens = profile.pushTokens ?? [];
  return tokens.length === 0 ? undefined : { channel, tokens };
}

/** The zone messages are timed in: the profile's when valid, else the journey default. */
export function zoneOf(profile: Profile, defaultTimezone: string): string {
  return profile.timezone !== undefined && isValidTimeZone(profile.timezone)
    ? profile.timezone
    : defaultTimezone;
}

/** The moment quiet hours end, or `undefined` when sending now is allowed. */
export function quietUntil(now: Date, zone: string, quietHours: QuietHours | undefined): Date | undefined {
  if (quietHours === undefined) return undefined;
  const allowed = nextAllowedTime(now, zone, quietHours);
  return allowed.getTime() > now.getTime() ? allowed : undefined;
}

/** How long sends are remembered for caps: the longest window asked for, and at least 30 days. */
const MIN_RETENTION = 'P30D';
const MAX_SENDS_KEPT = 200;

export type CapCheck =
  | { allowed: true; next: Partial<Record<Channel, string[]>> }
  | { allowed: false; until: Date };

/**
 * Checks frequency caps against the customer's recent sends (all journeys)
 * and, when a slot is free, returns the lists to write so the slot is
 * reserved atomically (`next`: the channel's list with this send).
 * When full, `until` is when the oldest counted send leaves the window.
 */
export function checkCaps(
  sends: Record<Channel, string[]>,
  caps: readonly Cap[],
  channel: Channel,
  now: Date,
): CapCheck {
  let until: Date | undefined;
  for (const cap of caps) {
    if (cap.channel !== undefined && cap.channel !== channel) continue;
    // A send counts until the moment it frees its slot (`freesAt` below), not at that moment:
    // a send deferred to exactly then goes out instead of being deferred to the same instant again.
    const counted = (
      cap.channel === undefined ? [...sends.email, ...sends.sms, ...sends.push] : sends[cap.channel]
    )
      .filter((at) => addDuration(new Date(at), cap.within) > now)
      .sort();
    if (counted.length < cap.max) continue;
    const freesAt = addDuration(new Date(counted[counted.length - cap.max] ?? now.toISOString()), cap.within);
    if (until === undefined || freesAt > until) until = freesAt;
  }
  if (until !== undefined) return { allowed: false, until };
  const retention = [MIN_RETENTION, ...caps.map((c) => c.within)]
    .map((w) => rollingWindowStart(now, w).toISOString())
    .sort()[0];
  const kept = sends[channel]
    .filter((at) => retention === undefined || at >= retention)
    .slice(-MAX_SENDS_KEPT + 1);
  return { allowed: true, next: { [channel]: [...kept, now.toISOString()] } };
}
