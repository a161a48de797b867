import type { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { StatsRepository } from '#functions/_lib/stats.ts';
import { classifyFeedback, type Feedback } from '#shared/delivery/feedback.ts';

export type FeedbackDeps = {
  deliveries: DeliveriesRepository;
  profiles: ProfilesRepository;
  stats: StatsRepository;
  now: () => Date;
};

export type FeedbackResult =
  | { status: 'ignored' | 'unknown-message' }
  | { status: 'applied' | 'duplicate'; feedback: Feedback; userId: string };

/**
 * Applies one delivery feedback event: a hard bounce or complaint suppresses
 * the channel, an unsubscribe opts out, and the step's counter goes up once
 * per message and outcome (feedback is delivered at least once).
 */
export async function applyFeedback(deps: FeedbackDeps, detail: unknown): Promise<FeedbackResult> {
  const feedback = classifyFeedback(detail);
  if (feedback === undefined) return { status: 'ignored' };
  const delivery = await deps.deliveries.byMessage(feedback.messageId);
  if (delivery === undefined) return { status: 'unknown-message' };
  const { userId } = delivery;
  if (feedback.suppress !== undefined) {
    await deps.profiles.setConsent(userId, feedback.channel, {
      status: 'suppressed',
      reason: feedback.suppress,
    });
  } else if (feedback.unsubscribe !== undefined) {
    const { topic } = feedback.unsubscribe;
    await deps.profiles.setConsent(
      userId,
      feedback.channel,
      topic === undefined ? { status: 'unsubscribed', reason: 'unsubscribed' } : { topic, subscribed: false },
    );
  }
  const first = await deps.deliveries.markFeedback(feedback.messageId, feedback.outcome, deps.now());
  if (!first) return { status: 'duplicate', feedback, userId };
  await deps.stats.increment({
    journeyId: delivery.journeyId,
    version: delivery.version,
    stepId: delivery.stepId,
    metric: feedback.outcome,
  });
  return { status: 'applied', feedback, userId };
}
