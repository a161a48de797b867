import type { Channel } from '../channels.ts';
import { dictionaryOf } from '../dictionary.ts';
import type { CustomerEvent } from '../events.ts';
import { splitTraits } from '../ingest/limits.ts';
import { storedValueSize } from '../ingest/stored-size.ts';
import { utf8Length } from '../utf8.ts';
import * as z from '../zod.ts';
import { type ConsentValue, consentChanges } from './consent-traits.ts';
import type { PushToken } from './profile.ts';

/**
 * What one customer event changes on the profile: traits, reachable
 * addresses, consent, time zone and the counter of a track event. Pure; the
 * profiles repository turns it into one conditional UpdateItem.
 */

export type ProfileChanges = {
  userId: string;
  messageId: string;
  timestamp: string;
  traits: Record<string, unknown>;
  email?: string;
  phone?: string;
  timezone?: string;
  locale?: string;
  pushTokens: PushToken[];
  /** `reason`: why, when the write itself decided it (topic opt-outs past the cap opt out of the channel). */
  consent: { channel: Channel; status: ConsentValue; reason?: string }[];
  topics: { channel: Channel; topic: string; subscribed: boolean }[];
  /** `day`: the UTC day whose count to bump, when a journey counts this event over a window. */
  track?: { event: string; day?: string; snapshot?: EventSnapshot };
  /** Addresses an identify set to null ("no email any more"): removed, so no message goes to the old one. */
  cleared?: ('email' | 'phone')[];
  /** Traits the profile does not take (limits of limits.ts), each with the reason. */
  droppedTraits: { trait: string; reason: string }[];
};

/**
 * The largest snapshot kept (its JSON in UTF-8 bytes, and as DynamoDB stores it): a larger awaited event still resumes
 * waiting steps as it arrives, but a step that registers just after it will not see it.
 */
const MAX_SNAPSHOT_BYTES = 2048;

function snapshotFits(snapshot: EventSnapshot): boolean {
  const json = JSON.stringify(snapshot);
  // Cheap first: most snapshots are far from the limit even at 4 bytes a character.
  if (json.length * 4 <= MAX_SNAPSHOT_BYTES) return true;
  return utf8Length(json) <= MAX_SNAPSHOT_BYTES && storedValueSize(snapshot) <= MAX_SNAPSHOT_BYTES;
}

/** The last occurrence of an event kept on the profile, so a late wait-for-event can still see it. */
export type EventSnapshot = { messageId: string; timestamp: string; properties: Record<string, unknown> };

/**
 * The longest device token taken, in UTF-8 bytes (APNs tokens are 64
 * characters, FCM ones about 160): the token names an attribute of the profile item.
 */
const MAX_PUSH_TOKEN_BYTES = 1024;

const Device = z.object({
  token: z.string().check(
    z.minLength(1),
    z.maxLength(MAX_PUSH_TOKEN_BYTES),
    z.refine((token) => utf8Length(token) <= MAX_PUSH_TOKEN_BYTES),
  ),
  type: z.optional(z.string()),
});

/**
 * The parts of the context the profile takes, each read on its own: SDKs
 * send `context.device` on every call (id, model, type) and a token only
 * once registered, and one part the profile cannot use must not hide the
 * others (the time zone next to a device without a token).
 */
function contextOf(context: Readonly<Record<string, unknown>>) {
  const part = (key: string) => (Object.hasOwn(context, key) ? context[key] : undefined);
  const device = Device.safeParse(part('device'));
  return {
    timezone: optionalString(part('timezone')),
    locale: optionalString(part('locale')),
    device: device.success ? device.data : undefined,
  };
}

/** By the device type the app sends: a Map, as the type is the app's word (`constructor` is no service). */
const PUSH_SERVICE: ReadonlyMap<string, PushToken['service']> = new Map([
  ['ios', 'APNS'],
  ['android', 'GCM'],
  ['amazon-fire', 'ADM'],
]);

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The UTC day (YYYY-MM-DD) of an ISO timestamp, the key of daily event counters. */
function utcDay(timestamp: string): string {
  return new Date(timestamp).toISOString().slice(0, 10);
}

/**
 * Derives the profile changes of an event. Reserved traits: `email`, `phone`,
 * `timezone`, `locale`, `consent` and `unsubscribed` (consent-traits.ts);
 * `context.device.token` registers a push token.
 */
export function profileChanges(
  event: CustomerEvent,
  userId: string,
  live: { awaited?: ReadonlySet<string>; counted?: ReadonlySet<string> } = {},
): ProfileChanges {
  const { awaited, counted } = live;
  const { kept, dropped } = splitTraits(event.traits ?? {});
  const traits = dictionaryOf(kept);
  // From the event's own traits: an opt-out applies even when the consent trait is too large to keep.
  const consent = consentChanges(event.traits ?? {});
  const ctx = contextOf(event.context ?? {});
  const device = ctx.device;
  const service = device?.type === undefined ? undefined : PUSH_SERVICE.get(device.type.toLowerCase());
  // Stored timestamps are UTC ISO strings, so DynamoDB compares them in time order.
  const timestamp = new Date(event.timestamp).toISOString();
  const changes: ProfileChanges = {
    userId,
    messageId: event.messageId,
    timestamp,
    traits,
    email: optionalString(traits.email),
    phone: optionalString(traits.phone),
    cleared: (['email', 'phone'] as const).filter(
      (key) => Object.hasOwn(traits, key) && traits[key] === null,
    ),
    timezone: optionalString(traits.timezone) ?? ctx.timezone,
    locale: optionalString(traits.locale) ?? ctx.locale,
    pushTokens: device !== undefined && service !== undefined ? [{ token: device.token, service }] : [],
    consent: consent.consent,
    topics: consent.topics,
    droppedTraits: [...dropped, ...consent.problems],
  };
  if (event.type === 'track') {
    const keep = awaited === undefined || awaited.has(event.event);
    const snapshot = { messageId: event.messageId, timestamp, properties: event.properties };
    changes.track = {
      event: event.event,
      ...(counted === undefined || counted.has(event.event) ? { day: utcDay(event.timestamp) } : {}),
      ...(keep && snapshotFits(snapshot) ? { snapshot } : {}),
    };
  }
  return changes;
}
