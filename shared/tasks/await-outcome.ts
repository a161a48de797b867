import { MESSAGE_OUTCOMES } from '../journey/message-outcomes.ts';
import * as z from '../zod.ts';
import { taskBase } from './version.ts';

/**
 * The await-event contracts of a message step that waits for its outcome
 * (`onOutcome`, `fallback`): register the task token under the provider's
 * message id; delivery feedback resumes it. Version 2 of the task contract
 * (`version.ts`) introduced them: there is no older form to upgrade.
 */

/** An outcome a message step can branch on (the language's `MessageOutcome`). */
export const MessageOutcome = z.enum(MESSAGE_OUTCOMES);

export const AwaitOutcomeInput = z.object({
  ...taskBase,
  op: z.literal('outcome'),
  token: z.string().check(z.maxLength(2048)),
  /** The provider message id the send returned. */
  messageId: z.string().check(z.minLength(1)),
  /** The feedback outcomes that resume the step, in branch order. */
  outcomes: z.array(MessageOutcome).check(z.minLength(1)),
  timeoutSeconds: z.number().check(z.int(), z.positive()),
  startedAt: z.string(),
});
export type AwaitOutcomeInput = z.infer<typeof AwaitOutcomeInput>;

/** What the step resumes with (in `$.outcome`). */
export const OutcomeOutput = z.object({ outcome: MessageOutcome, at: z.string() });
export type OutcomeOutput = z.infer<typeof OutcomeOutput>;

/** The step's window closed: its waiter goes now. */
export const OutcomeTimedOutInput = z.object({
  ...taskBase,
  op: z.literal('outcomeTimedOut'),
  messageId: z.string().check(z.minLength(1)),
});
export type OutcomeTimedOutInput = z.infer<typeof OutcomeTimedOutInput>;
