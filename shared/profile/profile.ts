import * as z from '../zod.ts';

/**
 * The live customer profile, as the handlers read it and conditions see it
 * under `profile.*`.
 */

const Count = z.number().check(z.int(), z.gte(0));

/**
 * Per event name: how often, first and last time (ISO timestamps), and daily
 * counts for windowed history checks: occurrences per UTC day (YYYY-MM-DD),
 * kept for the history window.
 */
export const EventCounter = z.object({
  count: Count,
  first: z.string(),
  last: z.string(),
  days: z.optional(z.record(z.string(), Count)),
});
export type EventCounter = z.infer<typeof EventCounter>;

/** suppressed: a hard bounce or complaint stopped the channel. */
export const ConsentStatus = z.enum(['subscribed', 'unsubscribed', 'suppressed']);
/** A channel's consent; `topics`: per-topic opt-in/out (false = opted out). */
export const ChannelConsent = z.object({
  status: ConsentStatus,
  topics: z.optional(z.record(z.string(), z.boolean())),
  reason: z.optional(z.string()),
  updatedAt: z.optional(z.string()),
});
export type ChannelConsent = z.infer<typeof ChannelConsent>;

/** A device token and its Pinpoint push channel. */
export const PushToken = z.object({
  token: z.string().check(z.minLength(1)),
  service: z.enum(['APNS', 'APNS_SANDBOX', 'GCM', 'BAIDU', 'ADM']),
});
export type PushToken = z.infer<typeof PushToken>;

export const Profile = z.object({
  userId: z.string(),
  traits: z._default(z.record(z.string(), z.unknown()), {}),
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  pushTokens: z.optional(z.array(PushToken)),
  timezone: z.optional(z.string()),
  locale: z.optional(z.string()),
  consent: z._default(
    z.object({
      email: z.optional(ChannelConsent),
      sms: z.optional(ChannelConsent),
      push: z.optional(ChannelConsent),
    }),
    {},
  ),
  events: z._default(z.record(z.string(), EventCounter), {}),
});
export type Profile = z.infer<typeof Profile>;
