import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { type OutcomeWaiters, resumeWithOutcome } from '#functions/_lib/outcome-waiters.ts';
import type { MessageOutcome } from '#shared/journey/outcome.ts';
import type { AwaitOutcomeInput, OutcomeTimedOutInput } from '#shared/tasks/await-outcome.ts';

export type OutcomeDeps = {
  waiters: OutcomeWaiters;
  deliveries: Pick<DeliveriesRepository, 'hasFeedback'>;
  sfn: SFNClient;
  now: () => Date;
};

/**
 * Registers a message step's wait for its outcome, then looks for feedback
 * that came first (a delivery receipt can beat the token here): the waiter
 * is written before the feedback records are read, and delivery feedback
 * records before it looks for a waiter, so one of the two always sees the
 * other. An outcome already in resumes at once, the first in branch order.
 */
export async function awaitOutcome(
  deps: OutcomeDeps,
  input: AwaitOutcomeInput,
): Promise<{ status: 'waiting' } | { status: 'resumed'; outcome: MessageOutcome }> {
  const until = new Date(Date.parse(input.startedAt) + input.timeoutSeconds * 1000).toISOString();
  await deps.waiters.put(input.userId, {
    messageId: input.messageId,
    enrollmentId: input.enrollmentId,
    journeyId: input.journeyId,
    stepId: input.stepId,
    token: input.token,
    outcomes: input.outcomes,
    until,
  });
  for (const outcome of input.outcomes) {
    if (!(await deps.deliveries.hasFeedback(input.messageId, outcome))) continue;
    await resumeWithOutcome(deps.sfn, input.token, { outcome, at: deps.now().toISOString() });
    await deps.waiters.remove(input.userId, input.messageId);
    return { status: 'resumed', outcome };
  }
  return { status: 'waiting' };
}

/** The step's window closed: its waiter goes now, not at its TTL. */
export async function outcomeTimedOut(
  deps: Pick<OutcomeDeps, 'waiters'>,
  input: OutcomeTimedOutInput,
): Promise<{ removed: boolean }> {
  return { removed: await deps.waiters.remove(input.userId, input.messageId) };
}
