import * as z from 'zod';
import { CHANNELS, type Channel } from '../channels.ts';
import { IsoDuration } from '../conditions/schema.ts';
import { MESSAGE_OUTCOMES } from './message-outcomes.ts';

export { MESSAGE_OUTCOMES };

export const MessageOutcome = z.enum(MESSAGE_OUTCOMES);
export type MessageOutcome = z.infer<typeof MessageOutcome>;

/** Outcomes that arrive as provider feedback, within the step's window. */
export const FEEDBACK_OUTCOMES: readonly MessageOutcome[] = [
  'delivered',
  'bounced',
  'opened',
  'clicked',
  'failed',
];

/**
 * What each channel reports back to Journeys after the send: SES publishes
 * email events and End User Messaging SMS receipts to EventBridge, which
 * delivery feedback reads. Push delivery and opens go only to a Pinpoint
 * event stream (Kinesis), which nothing in the stack reads: a push is known
 * sent, suppressed or failed at once, and nothing comes later.
 */
const REPORTED: ReadonlyMap<Channel, ReadonlySet<MessageOutcome>> = new Map([
  ['email', new Set<MessageOutcome>(['delivered', 'bounced', 'failed', 'opened', 'clicked'])],
  ['sms', new Set<MessageOutcome>(['delivered', 'failed'])],
  ['push', new Set<MessageOutcome>()],
]);

/** The outcomes a message on this channel may report after its send (as delivery feedback). */
export function reportedLater(channel: Channel): ReadonlySet<MessageOutcome> {
  return REPORTED.get(channel) ?? new Set();
}

export const OnOutcome = z
  .object({
    within: IsoDuration.describe(
      'How long to wait for delivery feedback (delivered, bounced, opened, clicked).',
    ),
    branches: z
      .array(
        z
          .object({
            outcome: z
              .union([MessageOutcome, z.array(MessageOutcome).min(1)])
              .describe('The outcome(s) that take this branch.'),
            next: z.string().describe('The step after such an outcome.'),
          })
          .strict(),
      )
      .min(1)
      .describe(
        'Checked in order. sent, suppressed (the reason is kept in the execution) and unknown are known at once; delivered, bounced, opened and clicked arrive within the window (an SMS reports delivered and failed, a push nothing after its send); failed is either. No listed outcome within the window: on to next.',
      ),
  })
  .strict()
  .describe('Branch on what the message did; anything else, or nothing within the window, goes on to next.');
export type OnOutcome = z.infer<typeof OnOutcome>;

export const FALLBACK_WHEN = ['notDelivered', 'notOpened', 'notClicked'] as const;

export const Fallback = z
  .array(
    z
      .object({
        channel: z
          .enum(CHANNELS)
          .describe(
            'The channel of the fallback message (a push, reporting nothing back, can only be the last).',
          ),
        template: z.string().min(1).describe('Its template, for that channel.'),
        when: z
          .enum(FALLBACK_WHEN)
          .describe(
            'notDelivered: no delivery receipt within the window (or a bounce, a failure, a suppression); notOpened / notClicked likewise for opens and clicks.',
          ),
        within: IsoDuration.describe('How long the previous message has.'),
      })
      .strict(),
  )
  .min(1)
  .max(3)
  .describe('Messages on other channels, each sent only when the one before did not get through in time.');
export type Fallback = z.infer<typeof Fallback>;

/** The outcome a fallback's `when` waits for. */
export function awaitedBy(when: (typeof FALLBACK_WHEN)[number]): MessageOutcome {
  return when === 'notDelivered' ? 'delivered' : when === 'notOpened' ? 'opened' : 'clicked';
}

/** The outcomes of a branch, as a list. */
export function outcomesOf(branch: OnOutcome['branches'][number]): MessageOutcome[] {
  return Array.isArray(branch.outcome) ? branch.outcome : [branch.outcome];
}
