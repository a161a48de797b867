import { resetClients } from './clients.ts';
import { PerRuntime } from './runtime-scope.ts';

/**
 * What a function keeps per cold start (its parsed config, its clients, the
 * repositories and caches built on them) lives at module level, as in Lambda,
 * where a new sandbox is a new process. A process that starts local runtimes
 * one after another (`journeys test`, the end-to-end tests) makes each start a
 * cold start of every function: what was kept is forgotten, and built again
 * on first use from that runtime's environment and stand-ins.
 */
export type Kept<T> = { value: T | undefined };

/** Holders of what is kept: one per module-level `keptPerColdStart()`, so the set stays small. */
const holders = new Set<Kept<unknown>>();

/** A holder for something kept until the next cold start (empty until first set). */
export function keptPerColdStart<T>(): Kept<T> {
  // Per runtime where one process runs several (runtime-scope.ts): a new runtime starts cold.
  const kept = new PerRuntime<T>();
  holders.add(kept);
  return kept;
}

/**
 * Forgets everything kept per cold start (of the current runtime scope, or of
 * the process outside any), clients included. On Lambda nothing calls it: a
 * cold start is a new process.
 */
export function coldStart(): void {
  for (const kept of holders) kept.value = undefined;
  resetClients();
}
