import { z } from 'zod';

/**
 * Customer events in the Segment spec shape — what CDPs (Segment, RudderStack)
 * forward to EventBridge and what apps put on the bus themselves.
 */

const Json = z.record(z.string(), z.unknown());

const common = {
  userId: z.string().min(1).optional().describe('The customer id in your systems.'),
  anonymousId: z.string().min(1).optional().describe('A device or cookie id before the customer is known.'),
  messageId: z.string().min(1).describe('Unique per event: a redelivered event has the same messageId.'),
  timestamp: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 timestamp such as 2026-11-24T10:00:00Z' })
    .describe('When the event happened.'),
  context: Json.optional().describe('Context: ip, locale, timezone, device, campaign...'),
};

export const TrackEvent = z
  .object({
    type: z.literal('track'),
    event: z.string().min(1).describe('The event name, e.g. "Order Completed".'),
    properties: Json.default({}),
    traits: Json.optional(),
    ...common,
  })
  .describe('A customer performed an action.');

export const IdentifyEvent = z
  .object({
    type: z.literal('identify'),
    traits: Json.default({}),
    event: z.undefined().optional(),
    properties: z.undefined().optional(),
    ...common,
  })
  .describe('Who the customer is: traits, channels, consent.');

export const CustomerEvent = z
  .discriminatedUnion('type', [TrackEvent, IdentifyEvent])
  .refine((e) => e.userId !== undefined || e.anonymousId !== undefined, {
    message: 'needs a userId or an anonymousId',
    path: ['userId'],
  });
export type CustomerEvent = z.infer<typeof CustomerEvent>;
export type TrackEvent = z.infer<typeof TrackEvent>;
export type IdentifyEvent = z.infer<typeof IdentifyEvent>;

/** The EventBridge `source` apps use for customer events, and the detail-types routed to ingest. */
export const CUSTOMER_EVENT_SOURCE = 'journeys.customer';
export const CUSTOMER_EVENT_DETAIL_TYPES = ['track', 'identify'] as const;

export type EventProblem = { field: string; message: string };

/** Validates a customer event; on failure every problem names its field (e.g. `timestamp`, `properties`). */
export function parseCustomerEvent(
  input: unknown,
): { ok: true; event: CustomerEvent } | { ok: false; problems: EventProblem[] } {
  const result = CustomerEvent.safeParse(input);
  if (result.success) return { ok: true, event: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : '(event)',
      message: issue.message,
    })),
  };
}

/** The customer key of an event: the userId, else the anonymousId. */
export function customerIdOf(event: CustomerEvent): string {
  return event.userId ?? `anon:${event.anonymousId ?? ''}`;
}
