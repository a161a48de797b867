import { fnv1a32, hex128 } from '../hash.ts';

/**
 * The split bucket (0–99) of a customer at a split step: computed once per
 * enrollment, deterministic in (journey, step, customer), so a customer who
 * re-enters lands in the same variant and every caller agrees.
 */
export function splitBucket(journeyId: string, stepId: string, customerId: string): number {
  return fnv1a32(`${journeyId}\u0000${stepId}\u0000${customerId}`) % 100;
}

/**
 * The Step Functions execution name of an enrollment: a hash of (journey,
 * customer, correlation, trigger event id). A redelivered event yields the same
 * name, and Step Functions refuses a second execution with it (names are
 * unique for 90 days). 80 characters at most, [A-Za-z0-9-_] only.
 */
export function enrollmentName(parts: {
  journeyId: string;
  customerId: string;
  triggerId: string;
  correlation?: string;
}): string {
  const key = [parts.journeyId, parts.customerId, parts.correlation ?? '', parts.triggerId].join('\u0000');
  return `${parts.journeyId.slice(0, 40)}-${hex128(key)}`;
}
