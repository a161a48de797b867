import type { SFNClient } from '@aws-sdk/client-sfn';
import { type DeliveriesRepository, feedbackItemId } from '#functions/_lib/deliveries.ts';
import { logger } from '#functions/_lib/observability.ts';
import { type OutcomeWaiters, resumeWithOutcome } from '#functions/_lib/outcome-waiters.ts';
import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { StatsRepository } from '#functions/_lib/stats.ts';
import { classifyFeedback, type Feedback } from '#shared/delivery/feedback.ts';
import { feedbackMetric } from '#shared/stats/keys.ts';
import { MessageOutcome } from '#shared/tasks/await-outcome.ts';

export type FeedbackDeps = {
  deliveries: DeliveriesRepository;
  profiles: ProfilesRepository;
  stats: StatsRepository;
  /** Message steps waiting for their outcome, resumed here (absent: no step waits). */
  outcomes?: { waiters: OutcomeWaiters; sfn: SFNClient };
  now: () => Date;
};

export type FeedbackResult =
  | { status: 'ignored' | 'unknown-message' }
  | { status: 'applied' | 'duplicate'; feedback: Feedback; userId: string };

/**
 * Feedback for a message a journey sent whose record does not point to it
 * yet (the send is still recording it, or is retried after a fault): thrown
 * so the event is delivered again, rather than a bounce or complaint lost.
 */
export class FeedbackBeforeSendError extends Error {
  override readonly name = 'Journeys.FeedbackBeforeSend';
  constructor(messageId: string) {
    super(`feedback for message ${messageId} arrived before its send was recorded`);
  }
}

/**
 * When the feedback happened: its event's time (`occurredAt`, the EventBridge
 * envelope's), or now when it has none or one ahead of now (a clock ahead).
 * A consent change is ordered by it (consent-order.ts), not by when a retry applied it.
 */
function occurred(occurredAt: string | undefined, now: Date): Date {
  const at = occurredAt === undefined ? Number.NaN : Date.parse(occurredAt);
  return Number.isFinite(at) && at <= now.getTime() ? new Date(at) : now;
}

/**
 * Applies one delivery feedback event: a hard bounce or complaint suppresses
 * the channel, an unsubscribe opts out, and the step's counter goes up once
 * per message and outcome (feedback is delivered at least once; see feedbackMetric).
 */
export async function applyFeedback(
  deps: FeedbackDeps,
  detail: unknown,
  occurredAt?: string,
): Promise<FeedbackResult> {
  const feedback = classifyFeedback(detail);
  if (feedback === undefined) return { status: 'ignored' };
  const delivery = await deps.deliveries.byMessage(feedback.messageId);
  if (delivery === undefined) {
    // Feedback can outrun the send's own writes: failing lets the event be delivered again later.
    if (feedback.fromJourney) throw new FeedbackBeforeSendError(feedback.messageId);
    return { status: 'unknown-message' };
  }
  const { userId } = delivery;
  const at = occurred(occurredAt, deps.now());
  if (feedback.suppress !== undefined) {
    // Stops the address the message went to (when its link knows it), not one the customer moved to since.
    await deps.profiles.setConsent(
      userId,
      feedback.channel,
      {
        status: 'suppressed',
        reason: feedback.suppress,
        ...(delivery.address === undefined ? {} : { address: delivery.address }),
      },
      at,
    );
  } else if (feedback.unsubscribe !== undefined) {
    const { topic } = feedback.unsubscribe;
    const outcome = await deps.profiles.setConsent(
      userId,
      feedback.channel,
      topic === undefined ? { status: 'unsubscribed', reason: 'unsubscribed' } : { topic, subscribed: false },
      at,
    );
    // Past the topics a profile keeps opted out of, the channel was opted out instead.
    if (outcome.channelInstead !== undefined)
      logger.warn('topic opt-out applied to the whole channel', {
        channel: feedback.channel,
        reason: outcome.channelInstead,
      });
  }
  const owed = await deps.deliveries.markFeedback(feedback.messageId, feedback.outcome, deps.now());
  // Also on a redelivery: the first attempt may have stopped before resuming the step. A message whose step
  // waits for no outcome (as its send recorded) has no waiting step to look for.
  if (delivery.outcomeWait !== false) await resumeWaiting(deps, userId, feedback);
  if (owed === undefined) return { status: 'duplicate', feedback, userId };
  // Pending on the record until written: a redelivery after a crash between the two counts it, once.
  const metric = feedbackMetric(feedback.outcome);
  if (metric !== undefined)
    await deps.stats.increment(
      {
        journeyId: delivery.journeyId,
        version: delivery.version,
        stepId: delivery.stepId,
        metric,
      },
      1,
      undefined,
      { id: feedbackItemId(feedback.messageId, feedback.outcome), ...owed },
    );
  await deps.deliveries.settleFeedback(feedback.messageId, feedback.outcome);
  return owed.retry ? { status: 'duplicate', feedback, userId } : { status: 'applied', feedback, userId };
}

/**
 * Resumes the message step waiting for this message's outcome, when it
 * waits for this one. After the feedback is recorded: a step registering its
 * wait meanwhile finds the record (functions/await-event/outcome.ts).
 */
async function resumeWaiting(deps: FeedbackDeps, userId: string, feedback: Feedback): Promise<void> {
  if (deps.outcomes === undefined) return;
  const outcome = MessageOutcome.safeParse(feedback.outcome);
  if (!outcome.success) return;
  const waiter = await deps.outcomes.waiters.get(userId, feedback.messageId);
  if (waiter === undefined || !waiter.outcomes.includes(outcome.data)) return;
  await resumeWithOutcome(deps.outcomes.sfn, waiter.token, {
    outcome: outcome.data,
    at: deps.now().toISOString(),
  });
  await deps.outcomes.waiters.remove(userId, feedback.messageId);
}
