import { DeferredError } from '#shared/errors.ts';
import type { ExhaustedOutput, SendMessageInput, SendMessageOutput } from '#shared/tasks/send-message.ts';
import { errorMetric } from './error-metric.ts';
import { countExhausted, type SendDeps, sendMessage } from './send.ts';

/** Counts one message outcome on the message metrics (the handler publishes them). */
export type CountMetric = (status: 'sent' | 'suppressed' | 'deferred' | 'failed' | 'unknown') => void;

/**
 * One invocation of the send-message task: delivers the message (or says why
 * not now / not at all), or on the step's failure path counts the last
 * attempt's outcome; each outcome it counts goes to `count`.
 */
export async function sendTask(
  deps: SendDeps,
  input: SendMessageInput,
  count: CountMetric,
): Promise<SendMessageOutput | ExhaustedOutput> {
  // An unknown outcome is counted by the write that records it, whichever attempt or path that is.
  const counting: SendDeps = { ...deps, unknownRecorded: () => count('unknown') };
  if (input.exhausted !== undefined) {
    const { counted } = await countExhausted(counting, input);
    if (counted === 'failed') count(counted);
    return { counted };
  }
  try {
    const output = await sendMessage(counting, input);
    if (output.status !== 'unknown') count(output.status);
    // The compiled journey waits on this error's message and tries again (one transition per sent message).
    if (output.status === 'deferred') throw new DeferredError(output.until);
    return output;
  } catch (error) {
    const counted = errorMetric(error);
    if (counted !== undefined) count(counted);
    throw error;
  }
}
