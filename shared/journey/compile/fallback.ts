import { awaitedBy, type Fallback, type MessageOutcome } from '../outcome.ts';
import type { MessageStep } from '../schema.ts';

type FallbackEntry = Fallback[number];

/** The state of the n-th fallback message of a step (1-based; ids have no '.', so none clashes with a step). */
function fallbackState(id: string, n: number): string {
  return `${id}.fallback${n}`;
}

/** The outcomes that mean the message got through, for a `when`. */
function success(when: FallbackEntry['when']): MessageOutcome[] {
  const awaited = awaitedBy(when);
  // A click is also an open.
  return awaited === 'opened' ? ['opened', 'clicked'] : [awaited];
}

/** True for a message about the customer's own business (a receipt, a code), not marketing. */
function isTransactional(step: MessageStep): boolean {
  return (
    (step.type === 'email' && step.transactional) ||
    (step.type === 'sms' && step.messageType === 'TRANSACTIONAL')
  );
}

/**
 * The fallback message as a step of its own channel, with that channel's
 * defaults and the class of the message it stands in for: an SMS after a
 * transactional message is sent as TRANSACTIONAL (a carrier route, consent
 * still applies). Only a transactional email makes its fallback email
 * transactional: that skips marketing consent, which an SMS's route never
 * implies.
 */
function fallbackStep(entry: FallbackEntry, from: MessageStep, next: string): MessageStep {
  const common = { template: entry.template, next, onFailure: from.onFailure, stage: from.stage };
  switch (entry.channel) {
    case 'email':
      return { type: 'email', ...common, transactional: from.type === 'email' ? from.transactional : false };
    case 'sms':
      return { type: 'sms', ...common, messageType: isTransactional(from) ? 'TRANSACTIONAL' : 'PROMOTIONAL' };
    case 'push':
      return { type: 'push', ...common, priority: 'normal' };
  }
}

/**
 * A message step with `fallback`, as the chain of message steps it means:
 * each message but the last waits `within` for its success outcome (a
 * delivery, an open, a click): success goes on to the step's `next`; a
 * bounce, a failure, a suppression, an unknown outcome or nothing in time
 * sends the next message in the chain. Each message is its own delivery
 * record (`<id>.fallback<n>`), so each is sent once.
 */
export function fallbackChain(
  id: string,
  step: MessageStep & { fallback: Fallback },
): [string, MessageStep][] {
  const chain: [string, MessageStep][] = [];
  let stateId = id;
  let current: MessageStep = { ...step, fallback: undefined };
  step.fallback.forEach((entry, i) => {
    const nextId = fallbackState(id, i + 1);
    chain.push([
      stateId,
      {
        ...current,
        onOutcome: {
          within: entry.within,
          branches: [
            { outcome: success(entry.when), next: step.next },
            { outcome: ['bounced', 'failed'], next: nextId },
          ],
        },
        next: nextId,
      },
    ]);
    stateId = nextId;
    current = fallbackStep(entry, step, step.next);
  });
  chain.push([stateId, current]);
  return chain;
}
