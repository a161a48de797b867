import { utf8Length } from '../utf8.ts';

/**
 * How an execution's state shares Step Functions' limit. The state is the
 * execution input (the trigger and the enrollment's ids) plus what steps add:
 * the last awaited event, the context, a webhook's response and the small
 * results of tasks. Step Functions fails an execution whose state passes
 * 256 KiB (`States.DataLimitExceeded`), so each part has a share, and what
 * would not fit is kept out where it comes in, with its reason: a trigger too
 * large does not enroll (entry skipped: tooLarge); an awaited event too large
 * does not resume its step (counted at the step as ignored: tooLarge).
 */

/** Step Functions' limit on an execution's input and on every state's input and output (UTF-8 bytes). */
export const MAX_STATE_BYTES = 256 * 1024;
/** The execution input of an enrollment: the trigger event with the enrollment's ids and buckets. */
export const MAX_ENTRY_INPUT_BYTES = 128 * 1024;
/** An awaited event as its step receives it. */
export const MAX_AWAITED_EVENT_BYTES = 64 * 1024;
/** The context, counted from its declarations (each string at its maxLength). */
export const MAX_CONTEXT_BYTES = 16 * 1024;
/** The largest response body a webhook step keeps. */
export const MAX_RESPONSE_BYTES = 32 * 1024;
/** Left for what tasks return (send results, deferrals, decisions, errors), each a few hundred bytes. */
export const TASK_RESULTS_BYTES =
  MAX_STATE_BYTES - MAX_ENTRY_INPUT_BYTES - MAX_AWAITED_EVENT_BYTES - MAX_CONTEXT_BYTES - MAX_RESPONSE_BYTES;

/** A value's JSON, and whether it takes at most `limit` bytes of UTF-8, as Step Functions counts them. */
export function jsonWithin(value: unknown, limit: number): { json: string; fits: boolean } {
  const json = JSON.stringify(value);
  // A UTF-16 code unit takes at most 3 bytes in UTF-8: most JSON is judged by its length alone.
  const fits = json.length * 3 <= limit || utf8Length(json) <= limit;
  return { json, fits };
}
