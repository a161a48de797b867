import { DeferredError } from '#shared/errors.ts';
import type { ExhaustedOutput, SendMessageInput, SendMessageOutput } from '#shared/tasks/send-message.ts';
import { countExhausted, type SendDeps, sendMessage } from './send.ts';

/** Counts one message outcome on the message metrics (the handler publishes them). */
export type CountMetric = (status: 'sent' | 'suppressed' | 'deferred' | 'failed' | 'unknown') => void;

/**
 * One invocation of the send-message task: delivers the message (or says why
 * not now / not at all), or on the step's failure path counts the last
 * attempt's outcome. The metrics are counted where the outcome is: by the
 * write that records an unknown outcome, and by the invocation that finishes
 * the step counters' count of any other (never by the status an invocation
 * returns, which a duplicate or a retry returns again).
 */
export async function sendTask(
  deps: SendDeps,
  input: SendMessageInput,
  count: CountMetric,
): Promise<SendMessageOutput | ExhaustedOutput> {
  const counting: SendDeps = { ...deps, unknownRecorded: () => count('unknown'), counted: count };
  if (input.exhausted !== undefined) return countExhausted(counting, input);
  const output = await sendMessage(counting, input);
  // The compiled journey waits on this error's message and tries again (one transition per sent message).
  if (output.status === 'deferred') throw new DeferredError(output.until);
  return output;
}
