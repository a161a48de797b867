import type { Channel } from '#shared/channels.ts';
import type { UpdateBuilder } from './expression.ts';
import { attr } from './profile-item.ts';

/**
 * What a send relied on when it read the profile: the channel's consent (and
 * the topic's, for a marketing message of one) and that no suppression stops
 * the address. Held in the write that reserves the send's frequency-cap slot,
 * the profile write every send makes before calling the provider: an opt-out,
 * topic opt-out, bounce or complaint written since the read fails it, and the
 * send reads the profile again instead of going out.
 */
export type SendConsentGuard = {
  channel: Channel;
  transactional: boolean;
  topic?: string;
  /** The suppression the profile holds for another spelling of the address (it does not stop this one), as read. */
  otherSpelling?: { reason: string; address: string };
};

/** The condition that the profile still lets the send go out, on the attributes named in `b`. */
export function sendConsentCondition(b: UpdateBuilder, guard: SendConsentGuard): string {
  const { channel } = guard;
  const parts: string[] = [];
  const status = b.name(attr.consent(channel));
  const blocked = guard.transactional ? ['suppressed'] : ['suppressed', 'unsubscribed'];
  // A status other than these (none, subscribed) lets the message go, as consentBlock reads it.
  parts.push(
    `(attribute_not_exists(${status}) OR NOT (${status} IN (${blocked.map((s) => b.value(s)).join(', ')})))`,
  );
  // A bounce or complaint since the read writes a suppression (with the address it stops).
  const suppressed = b.name(attr.suppressed(channel));
  const other = guard.otherSpelling;
  parts.push(
    other === undefined
      ? `attribute_not_exists(${suppressed})`
      : `(${suppressed} = ${b.value(other.reason)} AND ${b.name(attr.suppressedAddress(channel))} = ${b.value(other.address)})`,
  );
  if (!guard.transactional && guard.topic !== undefined) {
    const topic = b.name(attr.topic(channel, guard.topic));
    parts.push(`(attribute_not_exists(${topic}) OR ${topic} <> ${b.value(false)})`);
  }
  return parts.join(' AND ');
}
