import type { Channel } from '#shared/channels.ts';
import { MAX_EVENT_NAME_LENGTH } from '#shared/events.ts';
import { nameFits } from '#shared/ingest/limits.ts';
import { utf8Length } from '#shared/utf8.ts';
import type { UpdateBuilder } from './expression.ts';
import { attr, isTopicOptOut } from './profile-item.ts';

/**
 * Names past the byte limits, on items written before the limits: trait and
 * topic names over MAX_NAME_BYTES, event names over MAX_EVENT_NAME_LENGTH
 * bytes in UTF-8. The edge refuses such names now, so no event can update or
 * read them again; they only take room. The write after one is seen removes
 * them, so an old profile converges to the bound:
 *
 * - a trait: removed, and no longer counted;
 * - an event's counters, daily counts, snapshot and waiting summary: removed
 *   (no event of that name can arrive: the edge refuses it);
 * - a topic opted in to: removed (no value means opted in);
 * - a topic opted out of: removed, and the channel is opted out instead — an
 *   opt-out is never lost, and the customer receives fewer messages, never more.
 */

const EVENT_PREFIXES = ['c:', 'l:', 'x:', 'wf:', 'ws:', 'wo:', 'dh:'] as const;

function eventFits(name: string): boolean {
  return name.length * 3 <= MAX_EVENT_NAME_LENGTH || utf8Length(name) <= MAX_EVENT_NAME_LENGTH;
}

/** The event name of an event attribute, or undefined for other attributes. */
function eventOfKey(key: string): string | undefined {
  if (key.startsWith('d:')) return key.slice(2, key.lastIndexOf(':'));
  const prefix = EVENT_PREFIXES.find((p) => key.startsWith(p));
  return prefix === undefined ? undefined : key.slice(prefix.length);
}

export type OverLong = {
  /** Attributes to remove. */
  remove: string[];
  /** Of them, the traits (the count goes down by as many). */
  traits: string[];
  /** Channels with a topic opt-out among them: opted out as a whole instead. */
  optOutChannels: Set<Channel>;
};

/** The attributes of an item whose names are past the limits (see the module comment). */
export function overLongAttributes(item: Readonly<Record<string, unknown>>): OverLong {
  const out: OverLong = { remove: [], traits: [], optOutChannels: new Set() };
  for (const key of Object.keys(item)) {
    // Short keys fit every limit: most attributes are decided by their length alone.
    if (key.length * 3 <= MAX_EVENT_NAME_LENGTH) continue;
    if (key.startsWith('t:')) {
      if (nameFits(key.slice(2))) continue;
      out.remove.push(key);
      out.traits.push(key);
    } else if (key.startsWith('ct:')) {
      const split = key.indexOf(':', 3);
      const channel = key.slice(3, split);
      if (nameFits(key.slice(split + 1))) continue;
      out.remove.push(key);
      if (isTopicOptOut(item[key]) && (channel === 'email' || channel === 'sms' || channel === 'push'))
        out.optOutChannels.add(channel);
    } else {
      const event = eventOfKey(key);
      if (event !== undefined && !eventFits(event)) out.remove.push(key);
    }
  }
  return out;
}

/** Why a channel was opted out in place of a topic whose name is past the limit. */
export const OVER_LONG_TOPIC_REASON = 'a topic opted out of has a name past the limit';

/**
 * Adds to `b` the removal of one batch of over-long attributes and returns
 * its conditions: each trait removed still exists, so two writes removing it
 * at once do not both lower the count.
 */
export function removeOverLong(b: UpdateBuilder, found: OverLong, batch: readonly string[]): string[] {
  const conditions: string[] = [];
  const traits = batch.filter((key) => found.traits.includes(key));
  for (const key of batch) b.remove(key);
  for (const key of traits) conditions.push(`attribute_exists(${b.name(key)})`);
  if (traits.length > 0) b.add(attr.traitCount, -traits.length);
  for (const channel of found.optOutChannels) {
    b.set(attr.consent(channel), 'unsubscribed');
    b.set(attr.consentReason(channel), OVER_LONG_TOPIC_REASON);
  }
  return conditions;
}
