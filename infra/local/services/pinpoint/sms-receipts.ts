import { createHash } from 'node:crypto';
/**
 * The local End User Messaging stand-in reports what AWS reports: a few
 * seconds after an SMS is accepted, a "Text Message Delivery Status Updated"
 * event on the default bus. Delivery feedback counts it and resumes a step
 * waiting for the SMS's outcome (an SMS → email fallback sends no email when
 * the SMS arrived).
 *
 * Numbers of the UK range kept for drama (+44 7700 900000–900999, never
 * assigned) play the carriers' other answers, as `dead-` push tokens play an
 * uninstalled app: 900000–900499 are reported unreachable (TEXT_UNREACHABLE),
 * from 900500–900899 no receipt ever comes, and 900900–900999 replied STOP:
 * the send is refused as opted out (OPT_OUT), as Pinpoint refuses a number
 * on the sender's opt-out list.
 */

/** Journey time from acceptance to the delivery receipt (carriers answer in seconds). */
export const SMS_RECEIPT_MS = 5_000;

const DRAMA_RANGE = /^\+447700900(\d{3})$/;

type ReceiptStatus = { eventType: string; messageStatus: string; description: string };

const DELIVERED: ReceiptStatus = {
  eventType: 'TEXT_DELIVERED',
  messageStatus: 'DELIVERED',
  description: 'Message has been accepted by phone',
};
const UNREACHABLE: ReceiptStatus = {
  eventType: 'TEXT_UNREACHABLE',
  messageStatus: 'UNREACHABLE',
  description: 'The destination phone number is unreachable',
};

/** A carrier's receipt by what it reports. */
export const SMS_RECEIPTS = { delivered: DELIVERED, undelivered: UNREACHABLE } as const;

/** Whether this number replied STOP: its sends are refused (`OPT_OUT`) and it never gets a receipt. */
export function optedOut(to: string): boolean {
  const drama = DRAMA_RANGE.exec(to)?.[1];
  return drama !== undefined && Number(drama) >= 900;
}

/** The receipt the carrier sends for an SMS to this number; undefined when none comes. */
export function smsReceiptFor(to: string): ReceiptStatus | undefined {
  const drama = DRAMA_RANGE.exec(to)?.[1];
  if (drama === undefined) return DELIVERED;
  return Number(drama) < 500 ? UNREACHABLE : undefined;
}

/**
 * The order of receipts due at one instant: the same on every run for the same
 * messages (number, text and the sender's context), unlike the message id,
 * drawn at random, or the order in which the sends happened to finish.
 */
export function smsReceiptKey(message: { to: string; body: string; context?: unknown }): string {
  const content = JSON.stringify([message.body, message.context ?? null]);
  return `${message.to}\u0000${createHash('sha256').update(content).digest('hex')}`;
}

/**
 * The bus entry of an SMS delivery receipt, in the shape AWS End User
 * Messaging publishes: with the context the message was sent with, which
 * names the sending stack's configuration set (each stack's delivery
 * feedback takes only its own receipts, locally as on AWS).
 */
export function smsReceiptEntry(
  messageId: string,
  at: Date,
  status: ReceiptStatus = DELIVERED,
  context?: unknown,
) {
  return {
    Source: 'aws.sms-voice',
    DetailType: 'Text Message Delivery Status Updated',
    EventBusName: 'default',
    Resources: [] as string[],
    Detail: JSON.stringify({
      eventType: status.eventType,
      eventVersion: '1.0',
      eventTimestamp: at.getTime(),
      messageId,
      messageStatus: status.messageStatus,
      messageStatusDescription: status.description,
      isFinal: true,
      ...(context === undefined || context === null ? {} : { context }),
    }),
    Time: at.toISOString(),
  };
}
