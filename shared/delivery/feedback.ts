import type { Channel } from '../channels.ts';
import * as z from '../zod.ts';

/**
 * Delivery feedback as it arrives on EventBridge: SES event publishing
 * records (source aws.ses), AWS End User Messaging SMS events (source
 * aws.sms-voice, `eventType` TEXT_*), and the older Pinpoint event-stream
 * records (`event_type` _SMS.* / _PUSH.*). Pure: classifies an event into
 * what it means for the customer.
 */

/** Every outcome feedback reports, in the order a message meets them (a failure or bounce ends it). */
export const FEEDBACK_KINDS = [
  'sent',
  'delivered',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
  'bounced',
  'failed',
] as const;
export type FeedbackOutcome = (typeof FEEDBACK_KINDS)[number];

export type Feedback = {
  messageId: string;
  channel: Channel;
  outcome: FeedbackOutcome;
  /** Stop the channel: a hard bounce or a complaint. */
  suppress?: string;
  /** Opt out of the channel (no topic) or of one topic. */
  unsubscribe?: { topic?: string };
  /**
   * The event carries what send-message tags a journey's message with (SES
   * email tag `journey`, the SMS context's `journeyId`): a journey sent it,
   * even when its record cannot be found yet.
   */
  fromJourney: boolean;
};

const SesRecord = z.object({
  eventType: z.string(),
  mail: z.object({
    messageId: z.string(),
    tags: z.optional(z.record(z.string(), z.unknown())),
  }),
  bounce: z.optional(z.object({ bounceType: z.string() })),
  complaint: z.optional(z.object({ complaintFeedbackType: z.optional(z.string()) })),
  subscription: z.optional(
    z.object({
      newTopicPreferences: z.optional(
        z.object({
          unsubscribeAll: z.optional(z.boolean()),
          topicSubscriptionStatus: z.optional(
            z.array(z.object({ topicName: z.string(), subscriptionStatus: z.string() })),
          ),
        }),
      ),
    }),
  ),
});

const PinpointRecord = z.object({
  event_type: z.string(),
  attributes: z._default(
    z.object({
      message_id: z.optional(z.string()),
      record_status: z.optional(z.string()),
      journeyId: z.optional(z.string()),
    }),
    {},
  ),
});

function fromSes(record: z.infer<typeof SesRecord>): Feedback | undefined {
  const base = {
    messageId: record.mail.messageId,
    channel: 'email' as const,
    fromJourney: record.mail.tags?.journey !== undefined,
  };
  switch (record.eventType) {
    case 'Send':
      return { ...base, outcome: 'sent' };
    case 'Delivery':
      return { ...base, outcome: 'delivered' };
    case 'Open':
      return { ...base, outcome: 'opened' };
    case 'Click':
      return { ...base, outcome: 'clicked' };
    case 'Reject':
    case 'Rendering Failure':
      return { ...base, outcome: 'failed' };
    case 'Bounce': {
      const hard = record.bounce?.bounceType === 'Permanent';
      return { ...base, outcome: 'bounced', ...(hard ? { suppress: 'hard bounce' } : {}) };
    }
    case 'Complaint': {
      // A `not-spam` report (RFC 5965) says the mail is not spam, correcting a spam verdict: counted, never a stop.
      const type = record.complaint?.complaintFeedbackType?.trim().toLowerCase();
      return { ...base, outcome: 'complained', ...(type === 'not-spam' ? {} : { suppress: 'complaint' }) };
    }
    case 'Subscription': {
      const prefs = record.subscription?.newTopicPreferences;
      if (prefs?.unsubscribeAll === true) return { ...base, outcome: 'unsubscribed', unsubscribe: {} };
      const topic = prefs?.topicSubscriptionStatus?.find((t) => t.subscriptionStatus === 'OPT_OUT');
      return topic === undefined
        ? undefined
        : { ...base, outcome: 'unsubscribed', unsubscribe: { topic: topic.topicName } };
    }
    default:
      return undefined;
  }
}

type ProviderOutcome = { channel: 'sms' | 'push'; outcome: FeedbackOutcome; optOut?: boolean };

// Maps, not objects: event types are the provider's data (an "eventType" of "constructor" must mean nothing).
const PINPOINT_OUTCOMES = new Map<string, ProviderOutcome>([
  ['_SMS.SUCCESS', { channel: 'sms', outcome: 'delivered' }],
  ['_SMS.FAILURE', { channel: 'sms', outcome: 'failed' }],
  ['_SMS.OPTOUT', { channel: 'sms', outcome: 'unsubscribed', optOut: true }],
  ['_PUSH.SUCCESS', { channel: 'push', outcome: 'delivered' }],
  ['_PUSH.FAILURE', { channel: 'push', outcome: 'failed' }],
  ['_campaign.opened_notification', { channel: 'push', outcome: 'opened' }],
]);

/**
 * AWS End User Messaging SMS events ("Text Message Delivery Status Updated",
 * source aws.sms-voice). Queued and pending are not outcomes yet. `suppress`
 * marks the failures that are about the number, so retrying it is pointless:
 * it does not exist, or the recipient's device or carrier blocks messages to
 * it. Failures about one message (its content, a carrier outage, a device
 * switched off, an expired TTL) leave the channel open.
 */
const SMS_EVENT_OUTCOMES = new Map<string, { outcome: FeedbackOutcome; suppress?: string }>([
  ['TEXT_SUCCESSFUL', { outcome: 'delivered' }],
  ['TEXT_DELIVERED', { outcome: 'delivered' }],
  ['TEXT_INVALID', { outcome: 'failed', suppress: 'invalid phone number' }],
  ['TEXT_BLOCKED', { outcome: 'failed', suppress: 'blocked by the recipient’s device or carrier' }],
  ['TEXT_TTL_EXPIRED', { outcome: 'failed' }],
  ['TEXT_CARRIER_UNREACHABLE', { outcome: 'failed' }],
  ['TEXT_UNREACHABLE', { outcome: 'failed' }],
  ['TEXT_INVALID_MESSAGE', { outcome: 'failed' }],
  ['TEXT_CARRIER_BLOCKED', { outcome: 'failed' }],
  ['TEXT_SPAM', { outcome: 'failed' }],
  ['TEXT_PROTECT_BLOCKED', { outcome: 'failed' }],
  ['TEXT_UNKNOWN', { outcome: 'failed' }],
]);

const SmsEvent = z.object({
  eventType: z.string().check(z.startsWith('TEXT_')),
  messageId: z.string().check(z.minLength(1)),
  messageStatus: z.optional(z.string()),
  context: z.optional(z.record(z.string(), z.unknown())),
});

function fromSmsEvent(record: z.infer<typeof SmsEvent>): Feedback | undefined {
  const known = SMS_EVENT_OUTCOMES.get(record.eventType);
  if (known === undefined) return undefined;
  return {
    messageId: record.messageId,
    channel: 'sms',
    outcome: known.outcome,
    fromJourney: record.context?.journeyId !== undefined,
    ...(known.suppress === undefined ? {} : { suppress: known.suppress }),
  };
}

/**
 * What an SMS failure of the Pinpoint event stream means for the number: its
 * `record_status` names the same statuses as the End User Messaging events
 * (`INVALID` is `TEXT_INVALID`...), so one table decides which stop the
 * number. A device switched off (`UNREACHABLE`) or a carrier outage
 * (`CARRIER_UNREACHABLE`) is about one message, and a number the customer
 * opted out of at the carrier (`OPTED_OUT`, a STOP reply) is an unsubscribe.
 * A push failure is about one device token, which the send drops: it never
 * stops the customer's other devices.
 */
function smsFailure(recordStatus: string | undefined): Pick<Feedback, 'suppress' | 'unsubscribe'> {
  if (recordStatus === undefined) return {};
  if (recordStatus === 'OPTED_OUT') return { unsubscribe: {} };
  const suppress = SMS_EVENT_OUTCOMES.get(`TEXT_${recordStatus}`)?.suppress;
  return suppress === undefined ? {} : { suppress };
}

function fromPinpoint(record: z.infer<typeof PinpointRecord>): Feedback | undefined {
  const known = PINPOINT_OUTCOMES.get(record.event_type);
  const messageId = record.attributes.message_id;
  if (known === undefined || messageId === undefined) return undefined;
  const failure =
    known.channel === 'sms' && known.outcome === 'failed' ? smsFailure(record.attributes.record_status) : {};
  return {
    messageId,
    channel: known.channel,
    outcome: known.outcome,
    fromJourney: record.attributes.journeyId !== undefined,
    ...(known.optOut ? { unsubscribe: {} } : {}),
    ...failure,
  };
}

/** Classifies a feedback event's detail; `undefined` for events that change nothing. */
export function classifyFeedback(detail: unknown): Feedback | undefined {
  // A schema is tried only when the member it needs most is there: a failed parse builds issues for nothing.
  const record = typeof detail === 'object' && detail !== null ? (detail as Record<string, unknown>) : {};
  if (typeof record.mail === 'object' && record.mail !== null) {
    const ses = SesRecord.safeParse(detail);
    if (ses.success) return fromSes(ses.data);
  }
  if (typeof record.eventType === 'string' && record.eventType.startsWith('TEXT_')) {
    const sms = SmsEvent.safeParse(detail);
    if (sms.success) return fromSmsEvent(sms.data);
  }
  const pinpoint = PinpointRecord.safeParse(detail);
  return pinpoint.success ? fromPinpoint(pinpoint.data) : undefined;
}
