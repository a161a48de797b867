import * as z from 'zod';

/**
 * The live customer profile, as the handlers read it and conditions see it
 * under `profile.*`.
 */

/** Per event name: how often, first and last time, and daily counts for windowed history checks. */
export const EventCounter = z.object({
  count: z.number().int().min(0),
  first: z.string().describe('ISO timestamp of the first occurrence.'),
  last: z.string().describe('ISO timestamp of the last occurrence.'),
  days: z
    .record(z.string(), z.number().int().min(0))
    .optional()
    .describe('Occurrences per UTC day (YYYY-MM-DD), kept for the history window.'),
});
export type EventCounter = z.infer<typeof EventCounter>;

export const ConsentStatus = z.enum(['subscribed', 'unsubscribed', 'suppressed']);
export const ChannelConsent = z.object({
  status: ConsentStatus.describe('suppressed: a hard bounce or complaint stopped the channel.'),
  topics: z.record(z.string(), z.boolean()).optional().describe('Per-topic opt-in/out (false = opted out).'),
  reason: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type ChannelConsent = z.infer<typeof ChannelConsent>;

export const PushToken = z.object({
  token: z.string().min(1),
  service: z.enum(['APNS', 'APNS_SANDBOX', 'GCM', 'BAIDU', 'ADM']).describe('The Pinpoint push channel.'),
});
export type PushToken = z.infer<typeof PushToken>;

export const Profile = z.object({
  userId: z.string(),
  traits: z.record(z.string(), z.unknown()).default({}),
  email: z.string().optional(),
  phone: z.string().optional(),
  pushTokens: z.array(PushToken).optional(),
  timezone: z.string().optional(),
  locale: z.string().optional(),
  consent: z
    .object({
      email: ChannelConsent.optional(),
      sms: ChannelConsent.optional(),
      push: ChannelConsent.optional(),
    })
    .default({}),
  events: z.record(z.string(), EventCounter).default({}),
});
export type Profile = z.infer<typeof Profile>;
