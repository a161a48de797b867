import * as z from 'zod';
import { MessageOutcome } from './journey/outcome.ts';
import { CONTRACT_VERSION } from './tasks/version.ts';

/**
 * The await-event contracts of a message step that waits for its outcome
 * (`onOutcome`, `fallback`): register the task token under the provider's
 * message id; delivery feedback resumes it. Version 2 of the task contract
 * (shared/tasks.ts) introduced them: there is no older form to upgrade.
 */

const taskBase = {
  v: z.literal(CONTRACT_VERSION),
  journeyId: z.string(),
  journeyVersion: z.string(),
  enrollmentId: z.string(),
  userId: z.string(),
  stepId: z.string(),
};

export const AwaitOutcomeInput = z.object({
  ...taskBase,
  op: z.literal('outcome'),
  token: z.string().max(2048),
  messageId: z.string().min(1).describe('The provider message id the send returned.'),
  outcomes: z
    .array(MessageOutcome)
    .min(1)
    .describe('The feedback outcomes that resume the step, in branch order.'),
  timeoutSeconds: z.number().int().positive(),
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
  messageId: z.string().min(1),
});
export type OutcomeTimedOutInput = z.infer<typeof OutcomeTimedOutInput>;
