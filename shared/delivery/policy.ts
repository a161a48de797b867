import type { Channel } from '../channels.ts';
import { hex128 } from '../hash.ts';
import type { Profile, PushToken } from '../profile/profile.ts';
import {
  addDuration,
  isValidTimeZone,
  nextAllowedTime,
  type QuietHours,
  rollingWindowStart,
} from '../time.ts';
import { asciiAddress } from './mailbox.ts';

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

/**
 * What a suppression keeps of the address it stops (a hard bounce, a
 * complaint, an invalid number): a digest of the address, read case- and
 * punctuation-blind, so the same address written another way stays stopped
 * and another address is not. An email's domain is read as SES is given it
 * (Punycode): `caffè`, its decomposed spelling, `CAFFÈ`, full-width letters
 * and `xn--caff-8oa` are one mailbox. Push has none: its tokens are dropped
 * one by one.
 */
export function addressKey(address: Address): string | undefined {
  return addressKeys(address)[0];
}

/**
 * The keys a suppression of this address may be stored under: {@link addressKey}'s,
 * then the keys an earlier release wrote for the address as spelt (an email domain
 * read as typed), which a suppression recorded before still holds: as typed, and
 * composed (NFC) and decomposed (NFD), so that one recorded for `caffè` typed on
 * a Mac stops the same domain typed on Windows.
 */
export function addressKeys(address: Address): string[] {
  if (address.channel === 'email') {
    const typed = address.email.trim();
    const spelt = [typed, typed.normalize('NFC'), typed.normalize('NFD')].map((s) => s.toLowerCase());
    const keys = [(asciiAddress(typed) ?? typed).toLowerCase(), ...spelt];
    return [...new Set(keys)].map((key) => hex128(`email:${key}`));
  }
  if (address.channel === 'sms') return [hex128(`sms:${address.phone.replace(/[^\d+]/g, '')}`)];
  return [];
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

/** How long sends are remembered for caps, at least: days. */
export const MIN_KEPT_DAYS = 30;
/** Sends remembered per channel, the most recent. */
export const MAX_SENDS_KEPT = 200;
const DAY_MS = 86_400_000;

export type CapCheck =
  | {
      allowed: true;
      next: Partial<Record<Channel, string[]>>;
      /** How long the customer's sends are kept from now on, in days: to store with them. */
      keptDays: number;
    }
  | { allowed: false; until: Date };

/**
 * Checks frequency caps against the customer's recent sends (all journeys)
 * and, when a slot is free, returns the lists to write so the slot is
 * reserved atomically (`next`: the channel's list with this send).
 * When full, `until` is when the oldest counted send leaves the window.
 *
 * Sends are kept for the longest window any cap has asked of this customer
 * (`keptDays`, stored with the sends), at least 30 days: a send of a journey
 * with short caps must not drop the sends another journey's longer cap
 * still counts.
 */
export function checkCaps(
  sends: Record<Channel, string[]>,
  caps: readonly Cap[],
  channel: Channel,
  now: Date,
  keptDays = 0,
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
  const kept = keptDaysOf(caps, now, keptDays);
  const retention = new Date(now.getTime() - kept * DAY_MS).toISOString();
  const recent = sends[channel].filter((at) => at >= retention).slice(-MAX_SENDS_KEPT + 1);
  return { allowed: true, next: { [channel]: [...recent, now.toISOString()] }, keptDays: kept };
}

/** The days sends are kept: the longest of what was kept, these caps' windows (calendar-aware, plus a day) and 30 days. */
function keptDaysOf(caps: readonly Cap[], now: Date, keptDays: number): number {
  const windows = caps.map(
    (c) => Math.ceil((now.getTime() - rollingWindowStart(now, c.within).getTime()) / DAY_MS) + 1,
  );
  return Math.max(MIN_KEPT_DAYS, keptDays, ...windows);
}
