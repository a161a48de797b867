/**
 * What a message step can branch on once it has run. Three are known at
 * once from the send (sent, suppressed, unknown; failed when the provider
 * refuses it), the others arrive later as delivery feedback from SES or End
 * User Messaging (delivered, bounced, opened, clicked; failed when a carrier
 * reports it), correlated to the enrollment by the provider's message id.
 */
export const MESSAGE_OUTCOMES = [
  'sent',
  'suppressed',
  'unknown',
  'failed',
  'delivered',
  'bounced',
  'opened',
  'clicked',
] as const;
