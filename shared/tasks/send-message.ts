import { CHANNELS } from '../channels.ts';
import * as z from '../zod.ts';
import { ContextValues, IsoDuration, QuietHours } from './values.ts';
import { asV1, taskBase, upgradeFromV1, versioned } from './version.ts';

const Channel = z.enum(CHANNELS);

const SendMessageInputV2 = z.object({
  ...taskBase,
  channel: Channel,
  template: z.string(),
  trigger: z.unknown(),
  /** The last awaited event, if any. */
  event: z.optional(z.unknown()),
  /** The journey context, when the journey declares one. */
  context: z.optional(ContextValues),
  quietHours: z.optional(QuietHours),
  defaultTimezone: z.string(),
  topic: z.optional(z.string()),
  transactional: z._default(z.boolean(), false),
  caps: z.optional(z.array(z.object({ channel: z.optional(Channel), max: z.number(), within: IsoDuration }))),
  /**
   * Which visit of the step this is, for a step the journey can come back to (a loop): each visit is a
   * message of its own. The same for every attempt of one visit (retries, deferrals); absent on a step
   * visited at most once.
   */
  visit: z.optional(z.string()),
  /**
   * Whether the step waits for the message's outcome (`onOutcome`, a fallback): recorded with the message, so
   * that feedback on a message no step waits for looks for no waiting step. Absent (an input compiled before
   * it was written): feedback looks.
   */
  outcomeWait: z.optional(z.boolean()),
  /**
   * The split the step's sends are counted by (shared/journey/variant-split.ts): its variants and the
   * enrollment's bucket there, so the send's counters name its variant without a read. Absent: no split
   * before the step, or an input compiled before it was written (counted for the step only).
   */
  split: z.optional(
    z.object({
      stepId: z.string(),
      bucket: z.number(),
      variants: z.array(z.object({ name: z.string(), weight: z.number() })),
    }),
  ),
  /** When the outcome of a send is unknown: record it (default) or send again (at-least-once). */
  onUnknown: z.optional(z.enum(['record', 'retry'])),
  /** Channel options from the step (from, messageType...). */
  options: z._default(z.record(z.string(), z.unknown()), {}),
  /**
   * Set on the step's failure path once Step Functions has run out of retries
   * (throttled, transient, crashed): nothing is sent, the last attempt's
   * outcome is counted now that it is final.
   */
  exhausted: z.optional(z.object({ error: z.string() })),
});
/** send-message: deliver one message, or say why not now / not at all. */
export const SendMessageInput = versioned(SendMessageInputV2, asV1(SendMessageInputV2), upgradeFromV1);
export type SendMessageInput = z.infer<typeof SendMessageInput>;

export const SendMessageOutput = z.discriminatedUnion('status', [
  z.object({ status: z.literal('sent'), messageId: z.string() }),
  z.object({ status: z.literal('suppressed'), reason: z.string() }),
  /** The provider may or may not have accepted the message; it is not sent again. */
  z.object({ status: z.literal('unknown'), reason: z.string() }),
  /** `until`: the ISO timestamp to try again. */
  z.object({ status: z.literal('deferred'), until: z.string(), reason: z.string() }),
]);
export type SendMessageOutput = z.infer<typeof SendMessageOutput>;

/** What the failure path's call counted: the last attempt's failure, an outcome it left unknown, or nothing. */
export type ExhaustedOutput = { counted: 'failed' | 'unknown' | 'none' };
