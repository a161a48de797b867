import { deliveryIdOf } from '#functions/_lib/deliveries.ts';
import { logger } from '#functions/_lib/observability.ts';
import { type TokenCounts, type TokenOutcome, tokenCounts } from '#shared/delivery/push-results.ts';
import type { PushToken } from '#shared/profile/profile.ts';
import type { SendMessageInput } from '#shared/tasks/send-message.ts';
import type { TokenListener } from './pinpoint.ts';
import type { SendDeps } from './send.ts';

/**
 * What a push's per-token results change: the outcome of each token is kept
 * on the delivery record; dead tokens leave the profile and replaced ones are
 * swapped, in one bounded write. What the push service reported is handed to
 * `counted` (each token removed, by reason, as `pushTokenRemoved`; each
 * replaced one as `pushTokenReplaced`): the message's own count carries it,
 * under its mark and guard, so it is counted once with the message.
 *
 * A failure of these writes is logged and left: the message's own outcome is
 * already decided by the provider, and the next push reports the same tokens again.
 */
export function pushTokenListener(
  deps: Pick<SendDeps, 'profiles' | 'deliveries'>,
  input: SendMessageInput,
  /** The profile the tokens were read from (a merged profile's, for an enrollment under an older id). */
  owner: string,
  sent: readonly PushToken[],
  counted: (counts: TokenCounts | undefined) => void,
): TokenListener {
  return async (outcomes) => {
    counted(tokenCounts(outcomes));
    try {
      await apply(deps, input, owner, sent, outcomes);
    } catch (error) {
      logger.warn('push token results not applied', { error, stepId: input.stepId });
    }
  };
}

async function apply(
  deps: Pick<SendDeps, 'profiles' | 'deliveries'>,
  input: SendMessageInput,
  owner: string,
  sent: readonly PushToken[],
  outcomes: readonly TokenOutcome[],
) {
  await deps.deliveries.recordTokenOutcomes(
    deliveryIdOf(input.enrollmentId, input.stepId, input.visit),
    outcomes,
  );
  const remove: string[] = [];
  const add: PushToken[] = [];
  for (const outcome of outcomes) {
    if (outcome.action === 'keep') continue;
    remove.push(outcome.token);
    const service = sent.find((t) => t.token === outcome.token)?.service;
    if (outcome.action === 'replace' && service !== undefined)
      add.push({ token: outcome.updatedToken, service });
  }
  if (remove.length > 0) await deps.profiles.replacePushTokens(owner, remove, add);
}
