import { readFileSync } from 'node:fs';
import type { MessageOutcome } from '#shared/journey/outcome.ts';

/**
 * Every shape of provider notification delivery-feedback applies, with what
 * it must leave behind: the counter of the message's step it adds (once),
 * the step outcome it resumes, and the consent it leaves on the channel.
 * SES event publishing (source aws.ses), End User Messaging SMS receipts
 * (aws.sms-voice, as their fixtures hold them), and the Pinpoint event-stream
 * records of SMS and push the handler also reads. Shapes that only classify
 * alike (TEXT_SUCCESSFUL as TEXT_DELIVERED, "Rendering Failure" as "Reject")
 * take the same path once classified, and are left to the handler's tests.
 */
export type FeedbackShape = {
  kind: string;
  channel: 'email' | 'sms' | 'push';
  /** The event's detail for a message id. */
  detail: (messageId: string) => Record<string, unknown>;
  /** The step's counter it adds (none for SES's "Email Sent": the send counted it). */
  metric?: string;
  /** The outcome a step waiting for every feedback outcome resumes with (none: it keeps waiting). */
  resumes?: MessageOutcome;
  /** The channel's consent afterwards (undefined: left as it was, subscribed). */
  consent?: { status: 'suppressed' | 'unsubscribed'; reason: string };
  /** A topic the customer opted out of. */
  topic?: string;
};

function ses(eventType: string, extra: Record<string, unknown> = {}) {
  return (messageId: string) => ({
    eventType,
    mail: { messageId, destination: ['someone@example.com'], tags: { journey: ['crash-feedback'] } },
    ...extra,
  });
}

/** An End User Messaging SMS receipt as AWS publishes it (test/fixtures/events), for this message. */
function smsReceipt(fixture: string) {
  const event = JSON.parse(readFileSync(new URL(`../fixtures/events/${fixture}`, import.meta.url), 'utf8'));
  return (messageId: string) => ({ ...event.detail, messageId });
}

function pinpoint(eventType: string, recordStatus?: string) {
  return (messageId: string) => ({
    event_type: eventType,
    attributes: {
      message_id: messageId,
      journeyId: 'crash-feedback',
      ...(recordStatus === undefined ? {} : { record_status: recordStatus }),
    },
  });
}

const SES_SHAPES: readonly FeedbackShape[] = [
  {
    kind: 'SES Delivery',
    channel: 'email',
    detail: ses('Delivery'),
    metric: 'delivered',
    resumes: 'delivered',
  },
  {
    kind: 'SES hard bounce',
    channel: 'email',
    detail: ses('Bounce', { bounce: { bounceType: 'Permanent' } }),
    metric: 'bounced',
    resumes: 'bounced',
    consent: { status: 'suppressed', reason: 'hard bounce' },
  },
  {
    kind: 'SES soft bounce',
    channel: 'email',
    detail: ses('Bounce', { bounce: { bounceType: 'Transient' } }),
    metric: 'bounced',
    resumes: 'bounced',
  },
  {
    kind: 'SES complaint',
    channel: 'email',
    detail: ses('Complaint', { complaint: {} }),
    metric: 'complained',
    consent: { status: 'suppressed', reason: 'complaint' },
  },
  {
    kind: 'SES not-spam report',
    channel: 'email',
    detail: ses('Complaint', { complaint: { complaintFeedbackType: 'not-spam' } }),
    metric: 'complained',
  },
  { kind: 'SES Open', channel: 'email', detail: ses('Open'), metric: 'opened', resumes: 'opened' },
  { kind: 'SES Click', channel: 'email', detail: ses('Click'), metric: 'clicked', resumes: 'clicked' },
  { kind: 'SES Send', channel: 'email', detail: ses('Send') },
  { kind: 'SES Reject', channel: 'email', detail: ses('Reject'), metric: 'undelivered', resumes: 'failed' },
  {
    kind: 'SES unsubscribe from everything',
    channel: 'email',
    detail: ses('Subscription', { subscription: { newTopicPreferences: { unsubscribeAll: true } } }),
    metric: 'unsubscribed',
    consent: { status: 'unsubscribed', reason: 'unsubscribed' },
  },
  {
    kind: 'SES topic unsubscribe',
    channel: 'email',
    detail: ses('Subscription', {
      subscription: {
        newTopicPreferences: {
          topicSubscriptionStatus: [{ topicName: 'newsletter', subscriptionStatus: 'OPT_OUT' }],
        },
      },
    }),
    metric: 'unsubscribed',
    topic: 'newsletter',
  },
];

const SMS_SHAPES: readonly FeedbackShape[] = [
  {
    kind: 'SMS TEXT_DELIVERED',
    channel: 'sms',
    detail: smsReceipt('sms-text-delivered.json'),
    metric: 'delivered',
    resumes: 'delivered',
  },
  {
    kind: 'SMS TEXT_INVALID',
    channel: 'sms',
    detail: smsReceipt('sms-text-invalid.json'),
    metric: 'undelivered',
    resumes: 'failed',
    consent: { status: 'suppressed', reason: 'invalid phone number' },
  },
  {
    kind: 'SMS TEXT_BLOCKED',
    channel: 'sms',
    detail: smsReceipt('sms-text-blocked.json'),
    metric: 'undelivered',
    resumes: 'failed',
    consent: { status: 'suppressed', reason: 'blocked by the recipient’s device or carrier' },
  },
  {
    kind: 'SMS TEXT_CARRIER_UNREACHABLE',
    channel: 'sms',
    detail: smsReceipt('sms-text-carrier-unreachable.json'),
    metric: 'undelivered',
    resumes: 'failed',
  },
  {
    kind: 'Pinpoint _SMS.SUCCESS',
    channel: 'sms',
    detail: pinpoint('_SMS.SUCCESS'),
    metric: 'delivered',
    resumes: 'delivered',
  },
  {
    kind: 'Pinpoint _SMS.FAILURE of an invalid number',
    channel: 'sms',
    detail: pinpoint('_SMS.FAILURE', 'INVALID'),
    metric: 'undelivered',
    resumes: 'failed',
    consent: { status: 'suppressed', reason: 'invalid phone number' },
  },
  {
    kind: 'Pinpoint _SMS.FAILURE of a number opted out (STOP)',
    channel: 'sms',
    detail: pinpoint('_SMS.FAILURE', 'OPTED_OUT'),
    metric: 'undelivered',
    resumes: 'failed',
    consent: { status: 'unsubscribed', reason: 'unsubscribed' },
  },
  {
    kind: 'Pinpoint _SMS.OPTOUT (STOP)',
    channel: 'sms',
    detail: pinpoint('_SMS.OPTOUT'),
    metric: 'unsubscribed',
    consent: { status: 'unsubscribed', reason: 'unsubscribed' },
  },
];

/** Push steps wait for no outcome: nothing in the stack reads push feedback as it comes (reportedLater). */
const PUSH_SHAPES: readonly FeedbackShape[] = [
  { kind: 'Pinpoint _PUSH.SUCCESS', channel: 'push', detail: pinpoint('_PUSH.SUCCESS'), metric: 'delivered' },
  {
    kind: 'Pinpoint _PUSH.FAILURE of an invalid token',
    channel: 'push',
    detail: pinpoint('_PUSH.FAILURE', 'PERMANENT_FAILURE'),
    metric: 'undelivered',
  },
  {
    kind: 'Pinpoint push opened',
    channel: 'push',
    detail: pinpoint('_campaign.opened_notification'),
    metric: 'opened',
  },
];

export const FEEDBACK_SHAPES: readonly FeedbackShape[] = [...SES_SHAPES, ...SMS_SHAPES, ...PUSH_SHAPES];
