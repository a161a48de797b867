import type { Asl, StateType } from './asl.ts';

/** How many states of each type a definition has. */
export function countStates(asl: Asl): { total: number; byType: Record<StateType, number> } {
  const byType: Record<StateType, number> = { Task: 0, Choice: 0, Wait: 0, Pass: 0, Succeed: 0 };
  for (const state of Object.values(asl.States)) byType[state.Type] += 1;
  return { total: Object.keys(asl.States).length, byType };
}

/** The US-East price of Standard workflows, per state transition. */
export const PRICE_PER_TRANSITION_USD = 0.025 / 1000;

/** The Step Functions cost of one million enrollments that each take `transitions` transitions. */
export function costPerMillionEnrollments(transitions: number): number {
  return transitions * PRICE_PER_TRANSITION_USD * 1_000_000;
}
