/**
 * The local End User Messaging stand-in reports what AWS reports: a few
 * seconds after an SMS is accepted, a "Text Message Delivery Status Updated"
 * event (TEXT_DELIVERED) on the default bus. Delivery feedback counts it and
 * resumes a step waiting for the SMS's outcome (an SMS → email fallback
 * sends no email when the SMS arrived).
 */

/** Journey time from acceptance to the delivery receipt (carriers answer in seconds). */
export const SMS_RECEIPT_MS = 5_000;

/** The bus entry of an SMS delivery receipt, in the shape AWS End User Messaging publishes. */
export function smsReceiptEntry(messageId: string, at: Date) {
  return {
    Source: 'aws.sms-voice',
    DetailType: 'Text Message Delivery Status Updated',
    EventBusName: 'default',
    Resources: [] as string[],
    Detail: JSON.stringify({
      eventType: 'TEXT_DELIVERED',
      eventVersion: '1.0',
      eventTimestamp: at.getTime(),
      messageId,
      messageStatus: 'DELIVERED',
      messageStatusDescription: 'Message has been accepted by phone',
      isFinal: true,
    }),
    Time: at.toISOString(),
  };
}
