/** The US-East price of Standard workflows, per state transition. */
const PRICE_PER_TRANSITION_USD = 0.025 / 1000;

/** The Step Functions cost of one million enrollments that each take `transitions` transitions. */
export function costPerMillionEnrollments(transitions: number): number {
  return transitions * PRICE_PER_TRANSITION_USD * 1_000_000;
}
