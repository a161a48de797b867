/**
 * DynamoDB key schemas, defined once: the CDK stack, the local runtime and
 * the repositories all read them from here.
 */

export type AttributeType = 'S' | 'N';
export type KeyAttribute = { readonly name: string; readonly type: AttributeType };
export type TableDefinition = {
  /** Logical name; the physical name comes from the stack (or the local runtime). */
  readonly id: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** The attribute holding an epoch-seconds expiry, when items expire. */
  readonly timeToLiveAttribute?: string;
};

/** One item per customer: traits, channels, consent, counters, caps, active enrollments. */
export const PROFILES_TABLE = {
  id: 'profiles',
  partitionKey: { name: 'userId', type: 'S' },
} as const satisfies TableDefinition;

/** Journey registry: `sk = "live"` holds the current version; `sk = "v#<n>"` one item per deployed version. */
export const JOURNEYS_TABLE = {
  id: 'journeys',
  partitionKey: { name: 'journeyId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
} as const satisfies TableDefinition;

/** One item per message attempt, keyed by (execution, step) for idempotency. */
export const DELIVERIES_TABLE = {
  id: 'deliveries',
  partitionKey: { name: 'deliveryId', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

/** Sharded counters per journey / version / step / variant. */
export const STATS_TABLE = {
  id: 'stats',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
} as const satisfies TableDefinition;

export const TABLES = [PROFILES_TABLE, JOURNEYS_TABLE, DELIVERIES_TABLE, STATS_TABLE] as const;

/**
 * The profile item keeps each trait in its own top-level attribute `t:<trait>`
 * (never a nested map: one UpdateItem cannot create a map and a path inside
 * it). The repositories and compiled `updateProfile` steps both write them.
 */
export function profileTraitAttribute(trait: string): string {
  return `t:${trait}`;
}
