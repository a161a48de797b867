import { SMS_SENDER_CONTEXT } from '#shared/delivery/sender-context.ts';
import { CUSTOMER_EVENT_DETAIL_TYPES, CUSTOMER_EVENT_SOURCE, PARTNER_EVENT_SOURCE } from '#shared/events.ts';
import { DEFAULT_STATE_MACHINE_PREFIX } from '#shared/journey/state-machine-name.ts';
import type { EventPattern } from './event-pattern.ts';

export { type EventPattern, matchesPattern } from './event-pattern.ts';

/**
 * The EventBridge routes of the system, as plain event patterns: the CDK stack
 * turns them into rules and the local runtime routes with `matchesPattern`, so
 * both agree on what reaches which function.
 */

/** The key prefix of journey definitions and templates in the journeys bucket. */
export const JOURNEYS_PREFIX = 'journeys/';

/**
 * Customer events of the apps' own source on the customer bus → ingest,
 * whatever their detail-type: the call type is read from the detail, and an
 * event that is not a track, identify or alias call (a detail-type set to the
 * event's name, a page call, no type) lands in the rejected queue with the
 * reason instead of being dropped by the bus without a word.
 */
export const customerEventsPattern: EventPattern = {
  source: [CUSTOMER_EVENT_SOURCE],
};

/**
 * Customer events a CDP forwards from `source` → ingest. CDPs choose their
 * own detail-type (Segment: the call type by default, but the mapping is
 * editable; RudderStack: one name configured for every event), so the call
 * type is matched in the detail, which is the CDP's own Segment-spec JSON.
 */
export function cdpEventsPattern(source: string): EventPattern {
  return { source: [source], detail: { type: [...CUSTOMER_EVENT_DETAIL_TYPES] } };
}

/** Where a source's events arrive: a partner source has its own partner event bus; any other uses ours. */
export function eventSourceBus(source: string): 'partner' | 'customer' {
  return PARTNER_EVENT_SOURCE.test(source) ? 'partner' : 'customer';
}

/** The SES v2 event types delivery-feedback records (sending events published by the configuration set). */
const SES_DELIVERY_DETAIL_TYPES = [
  'Email Sent',
  'Email Delivered',
  'Email Delivery Delayed',
  'Email Bounced',
  'Email Complaint Received',
  'Email Rejected',
  'Email Rendering Failed',
  'Email Opened',
  'Email Clicked',
  'Email Subscribed',
] as const;

/**
 * SES events of our configuration set → delivery-feedback. SES publishes to
 * the account's default bus only; the configuration-set tag keeps other
 * senders in the account out.
 */
export function sesDeliveryPattern(configurationSetName: string): EventPattern {
  return {
    source: ['aws.ses'],
    'detail-type': [...SES_DELIVERY_DETAIL_TYPES],
    detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
  };
}

/**
 * The end of a journey execution → execution-status. Step Functions
 * publishes status changes of Standard executions to the default bus; only
 * the ends of the stack's journey state machines (`<prefix>*`) are routed.
 */
export function executionStatusPattern(
  stateMachinePrefix: string = DEFAULT_STATE_MACHINE_PREFIX,
): EventPattern {
  return {
    source: ['aws.states'],
    'detail-type': ['Step Functions Execution Status Change'],
    detail: {
      status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
      stateMachineArn: [{ wildcard: `arn:aws:states:*:*:stateMachine:${stateMachinePrefix}*` }],
    },
  };
}

/**
 * SMS delivery receipts from End User Messaging (what Pinpoint SendMessages
 * SMS turn into) → delivery-feedback. They arrive on the default bus, every
 * sender's of the account: only those of messages this stack sent (the
 * message context names its configuration set) and those that name none (a
 * message sent before the context did, or by another application) are routed,
 * so another stack's receipts never reach this one, where a journey's message
 * that is not in the deliveries table is retried into the dead-letter queue.
 */
export function smsDeliveryPattern(configurationSetName: string): EventPattern {
  return {
    source: ['aws.sms-voice'],
    'detail-type': ['Text Message Delivery Status Updated'],
    detail: {
      $or: [
        { context: { [SMS_SENDER_CONTEXT]: [configurationSetName] } },
        { context: { [SMS_SENDER_CONTEXT]: [{ exists: false }] } },
      ],
    },
  };
}

/**
 * An object created or deleted under `journeys/` → deploy-journey: journey
 * definitions and templates, and the files it answers with a report instead
 * (a journey saved as `cart.JSON`, `cart.json.txt` or `cart.yaml`). S3
 * publishes to the default bus. The handler itself skips everything else,
 * the rejection reports it writes (`journeys/<id>.rejected.json`) included.
 */
export function journeyObjectPattern(bucketName: string): EventPattern {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created', 'Object Deleted'],
    detail: {
      bucket: { name: [bucketName] },
      object: { key: [{ prefix: JOURNEYS_PREFIX }] },
    },
  };
}
