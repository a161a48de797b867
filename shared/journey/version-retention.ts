/**
 * Which published versions of a journey's state machine to delete. Step
 * Functions allows 1,000 versions per state machine and a journey publishes
 * one per edit, so old ones go. One rule for deploy-journey on AWS and for the
 * local Step Functions stand-in.
 *
 * Kept: every version an alias routes to (AWS refuses to delete those: the
 * live one, a canary), and besides them the newest `keep` no alias routes to
 * (to roll back to). Deleting a version does not stop the
 * executions running on it (they finish on the definition they started with),
 * so running executions pin nothing on AWS.
 */

/** Versions AWS lets a state machine have. */
export const MAX_STATE_MACHINE_VERSIONS = 1000;

/** Versions kept besides the alias targets, unless configured otherwise. */
export const DEFAULT_VERSIONS_KEPT = 20;

export type VersionRetention = {
  /** The published version numbers (any order). */
  versions: readonly number[];
  /** The versions an alias routes to. */
  routed: ReadonlySet<number>;
  /** How many versions no alias routes to are kept (the newest), besides those routed to. */
  keep: number;
  /** At most this many deletions, so one call does bounded work (default: no bound). */
  limit?: number;
};

/**
 * The versions to delete, oldest first. Version numbers only grow, so the
 * newest are the highest. The alias targets are set aside before counting,
 * so `keep` of 1 leaves one version to roll back to besides the live one.
 */
export function versionsToDelete(rule: VersionRetention): number[] {
  const newestFirst = [...new Set(rule.versions)].sort((a, b) => b - a);
  const unrouted = newestFirst.filter((v) => !rule.routed.has(v));
  const doomed = unrouted.slice(Math.max(0, rule.keep));
  return doomed.reverse().slice(0, rule.limit ?? doomed.length);
}
