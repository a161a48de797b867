/**
 * What SES reports about a sent email, played locally: SES publishes the
 * events of a configuration set to EventBridge a few seconds after the send
 * ("Email Delivered"), and delivery feedback counts them and resumes a step
 * waiting for the email's outcome. The SES mailbox simulator's addresses
 * answer as on AWS: `bounce@simulator.amazonses.com` bounces (a hard bounce),
 * `complaint@simulator.amazonses.com` is delivered then complained about.
 * The emulator itself publishes nothing.
 */

/** Journey time from the send to its delivery event (SES answers in seconds). */
export const SES_FEEDBACK_MS = 5_000;

/** One email as sent: its SES message id, recipients, and the configuration set whose events are published. */
export type SentEmail = { messageId: string; to: readonly string[]; configurationSet: string };

type SesEvent = { detailType: string; eventType: string; extra: Record<string, unknown> };

const DELIVERED: SesEvent = {
  detailType: 'Email Delivered',
  eventType: 'Delivery',
  extra: { delivery: { processingTimeMillis: SES_FEEDBACK_MS, smtpResponse: '250 2.0.0 OK' } },
};
const BOUNCED: SesEvent = {
  detailType: 'Email Bounced',
  eventType: 'Bounce',
  extra: { bounce: { bounceType: 'Permanent', bounceSubType: 'General' } },
};
const COMPLAINED: SesEvent = {
  detailType: 'Email Complaint Received',
  eventType: 'Complaint',
  extra: { complaint: { complaintFeedbackType: 'abuse' } },
};

const OPENED: SesEvent = {
  detailType: 'Email Opened',
  eventType: 'Open',
  extra: { open: { userAgent: 'Mozilla/5.0', ipAddress: '192.0.2.1' } },
};
const CLICKED: SesEvent = {
  detailType: 'Email Clicked',
  eventType: 'Click',
  extra: { click: { userAgent: 'Mozilla/5.0', ipAddress: '192.0.2.1', link: 'https://example.com/' } },
};

/** The events SES publishes, by the outcome each reports. */
const EVENTS = {
  delivered: DELIVERED,
  bounced: BOUNCED,
  complained: COMPLAINED,
  opened: OPENED,
  clicked: CLICKED,
} as const;
export type SesOutcome = keyof typeof EVENTS;

/** The events SES publishes for an email to this address, in order (the simulator's addresses as on AWS). */
function eventsFor(address: string): SesEvent[] {
  const [local = '', domain = ''] = address.toLowerCase().split('@');
  if (domain !== 'simulator.amazonses.com') return [DELIVERED];
  const box = local.split('+')[0];
  if (box === 'bounce') return [BOUNCED];
  if (box === 'complaint') return [DELIVERED, COMPLAINED];
  return [DELIVERED];
}

/** The bus entries SES publishes for one sent email, on the default bus, in the shape AWS publishes. */
export function sesEventEntries(email: SentEmail, at: Date) {
  const first = email.to[0];
  if (first === undefined) return [];
  return eventsFor(first).map((event) => entryOf(event, email, at));
}

/** The bus entry of one event SES publishes about an email. */
export function sesEventEntry(outcome: SesOutcome, email: SentEmail, at: Date) {
  return entryOf(EVENTS[outcome], email, at);
}

function entryOf(event: SesEvent, email: SentEmail, at: Date) {
  return {
    Source: 'aws.ses',
    DetailType: event.detailType,
    EventBusName: 'default',
    Resources: [] as string[],
    Detail: JSON.stringify({
      eventType: event.eventType,
      ...event.extra,
      mail: {
        timestamp: at.toISOString(),
        messageId: email.messageId,
        destination: [...email.to],
        tags: { 'ses:configuration-set': [email.configurationSet] },
      },
    }),
    Time: at.toISOString(),
  };
}
