import { CHANNELS, type Channel } from '../channels.ts';
import { MAX_NAME_BYTES, MAX_TOPICS_PER_EVENT, nameFits } from '../ingest/limits.ts';

/**
 * Consent as customer events carry it, in the traits: `consent` ({email|sms|push:
 * value, topics: {name: value}}) and the common CDP trait `unsubscribed`.
 *
 * Apps and CDPs write these values in several spellings (a form posts
 * `"false"`, a warehouse sync `"FALSE"`), and an opt-out that is not understood
 * means messages to someone who said no. So each value is read on its own:
 * one value in an unknown spelling never hides the others, and it is reported
 * back (kept with the rejected events) instead of being ignored in silence.
 */

export type ConsentValue = 'subscribed' | 'unsubscribed';

export type ConsentChanges = {
  consent: { channel: Channel; status: ConsentValue }[];
  topics: { channel: Channel; topic: string; subscribed: boolean }[];
  /** Values not understood, by trait, each with the reason. */
  problems: { trait: string; reason: string }[];
};

const SPELLINGS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['subscribed', true],
  ['unsubscribed', false],
]);

const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
]);

const MAX_REASONS = 10;

const EXPECTED = 'true, false, "subscribed" or "unsubscribed"';

/** true (opted in), false (opted out), or undefined when the value is not a consent value. */
export function consentFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  return SPELLINGS.get(value.trim().toLowerCase());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * The values of a `consent` object by what its keys name: a channel or the
 * topics, in any letter case ("SMS", "Email"); keys that name neither are
 * reported, since an opt-out under a name not read would be lost in silence.
 */
function consentEntries(consent: Record<string, unknown>, reasons: string[]) {
  const channels = new Map<Channel, unknown[]>();
  const topics: unknown[] = [];
  for (const [key, value] of Object.entries(consent)) {
    if (value === undefined || value === null) continue;
    const name = key.trim().toLowerCase();
    const channel = CHANNELS.find((c) => c === name);
    if (channel !== undefined) channels.set(channel, [...(channels.get(channel) ?? []), value]);
    else if (name === 'topics') topics.push(value);
    else
      reasons.push(`consent.${key.slice(0, 40)} is not a channel: expected ${CHANNELS.join(', ')} or topics`);
  }
  return { channels, topics };
}

/** Reads the channels of a consent object; of two spellings of one channel, an opt-out wins. */
function readChannels(channels: Map<Channel, unknown[]>, out: ConsentChanges, reasons: string[]) {
  for (const channel of CHANNELS) {
    const flags: boolean[] = [];
    for (const value of channels.get(channel) ?? []) {
      const flag = consentFlag(value);
      if (flag === undefined) reasons.push(`consent.${channel} is ${describe(value)}; expected ${EXPECTED}`);
      else flags.push(flag);
    }
    if (flags.length > 0)
      out.consent.push({ channel, status: flags.every(Boolean) ? 'subscribed' : 'unsubscribed' });
  }
}

/** Reads the topics of a consent object, within the per-event cap and the name limit. */
function readTopics(values: unknown[], out: ConsentChanges, reasons: string[]) {
  let excess = 0;
  for (const topics of values) {
    if (!isRecord(topics)) {
      reasons.push('consent.topics must be an object of topic names to true or false');
      continue;
    }
    for (const [topic, value] of Object.entries(topics)) {
      if (value === undefined || value === null) continue;
      const flag = consentFlag(value);
      if (flag === undefined)
        reasons.push(`consent.topics.${topic} is ${describe(value)}; expected ${EXPECTED}`);
      // The topic names an attribute of the profile item, which DynamoDB counts in bytes.
      else if (!nameFits(topic))
        reasons.push(
          `consent.topics.${topic.slice(0, 40)}… left out: a topic name is limited to ${MAX_NAME_BYTES} bytes in UTF-8`,
        );
      else if (out.topics.length >= MAX_TOPICS_PER_EVENT) excess += 1;
      else out.topics.push({ channel: 'email', topic, subscribed: flag });
    }
  }
  if (excess > 0)
    reasons.push(`${excess} more topics left out: an event sets at most ${MAX_TOPICS_PER_EVENT} topics`);
}

/** Reads the consent traits of one event (absent or null values change nothing). */
export function consentChanges(traits: Readonly<Record<string, unknown>>): ConsentChanges {
  const out: ConsentChanges = { consent: [], topics: [], problems: [] };
  const reasons: string[] = [];
  const consent = Object.hasOwn(traits, 'consent') ? traits.consent : undefined;
  if (isRecord(consent)) {
    const { channels, topics } = consentEntries(consent, reasons);
    readChannels(channels, out, reasons);
    readTopics(topics, out, reasons);
  } else if (consent !== undefined && consent !== null) {
    reasons.push('consent must be an object such as {"email": false, "topics": {"newsletter": true}}');
  }
  if (reasons.length > 0) {
    // A few reasons say what is wrong; all of them could outgrow the rejected queue's message.
    const shown = reasons.slice(0, MAX_REASONS);
    if (reasons.length > MAX_REASONS) shown.push(`and ${reasons.length - MAX_REASONS} more`);
    out.problems.push({ trait: 'consent', reason: `${shown.join('; ')} (the rest was applied)` });
  }
  // "unsubscribed: true" means no more marketing email; false says nothing about consent.
  const unsubscribed = Object.hasOwn(traits, 'unsubscribed') ? traits.unsubscribed : undefined;
  const flag =
    typeof unsubscribed === 'string' ? BOOLEANS.get(unsubscribed.trim().toLowerCase()) : unsubscribed;
  // One value per channel (one write cannot set an attribute twice); an opt-out beats an opt-in.
  if (flag === true) {
    out.consent = out.consent.filter((c) => c.channel !== 'email');
    out.consent.push({ channel: 'email', status: 'unsubscribed' });
  } else if (typeof flag !== 'boolean' && unsubscribed !== undefined && unsubscribed !== null)
    out.problems.push({
      trait: 'unsubscribed',
      reason: `is ${describe(unsubscribed)}; expected true or false (email consent unchanged)`,
    });
  return out;
}
