import { fnv1a32 } from '../hash.ts';

/** The prefix of journey state machine names in a stack named `Journeys` and in the local runtime. */
export const DEFAULT_STATE_MACHINE_PREFIX = 'journey-';

/** Step Functions names allow 80 characters. */
export const MAX_STATE_MACHINE_NAME = 80;

/**
 * The state machine of a journey: `<prefix><id>`, the prefix being the
 * stack's (so that two stacks in one account and Region never share a
 * journey's state machine). An id too long for the 80 characters Step
 * Functions allows after a long prefix is shortened deterministically with a
 * hash of the whole id, so two long ids never share a name.
 */
export function stateMachineName(prefix: string, journeyId: string): string {
  const name = `${prefix}${journeyId}`;
  if (name.length <= MAX_STATE_MACHINE_NAME) return name;
  const hash = fnv1a32(journeyId).toString(16).padStart(8, '0');
  return `${prefix}${journeyId.slice(0, MAX_STATE_MACHINE_NAME - prefix.length - hash.length - 1)}-${hash}`;
}
