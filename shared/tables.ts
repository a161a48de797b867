/**
 * DynamoDB key schemas, defined once: the CDK stack, the local runtime and
 * the repositories all read them from here.
 */

type AttributeType = 'S' | 'N';
export type KeyAttribute = { readonly name: string; readonly type: AttributeType };
export type TableDefinition = {
  /** Logical name; the physical name comes from the stack (or the local runtime). */
  readonly id: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** The attribute holding an epoch-seconds expiry, when items expire. */
  readonly timeToLiveAttribute?: string;
};

/** One item per customer: traits, channels, consent, counters, caps, a summary of waiting steps (bounded). */
export const PROFILES_TABLE = {
  id: 'profiles',
  partitionKey: { name: 'userId', type: 'S' },
} as const satisfies TableDefinition;

/**
 * The keys of profile items: a known customer by userId, an anonymous visitor
 * by `anon:<anonymousId>`. When a profile is merged into another (identify
 * with both ids, alias), its item becomes an alias item: `aliasOf` names the
 * profile it now belongs to, and only what running enrollments under the old
 * key still use stays on it (the redelivery guard, waiting summaries, recent
 * sends — each already bounded). An alias has no lifetime of its own (an
 * anonymous id can come back years later), so it has no TTL: one small item
 * per merged id.
 */
/** The key prefix of anonymous visitors' profiles; customer ids may not start with it. */
export const ANONYMOUS_PREFIX = 'anon:';

export const profileKeys = {
  known: (userId: string) => userId,
  anonymous: (anonymousId: string) => `${ANONYMOUS_PREFIX}${anonymousId}`,
  /** On an alias item: the key of the profile it was merged into. */
  aliasOf: 'aliasOf',
  /** On an alias item: `merging` until every part is copied, then `merged`. */
  aliasState: 'aliasState',
  /** On a profile others were merged into: the most hops from any of their ids to it (a chain is kept at most 8 long). */
  aliasDepth: 'aliasDepth',
} as const;

/**
 * Journey registry: `sk = "live"` holds the current version and the last
 * versions deployed; share claims and pinned template snapshots
 * (`t#<name>@<digest>`, expiring once no live version pins them) beside it.
 */
export const JOURNEYS_TABLE = {
  id: 'journeys',
  partitionKey: { name: 'journeyId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

/** One item per message attempt, keyed by (execution, step) for idempotency. */
export const DELIVERIES_TABLE = {
  id: 'deliveries',
  partitionKey: { name: 'deliveryId', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

/** Sharded counters per journey / version / step / variant, and per day (those expire), many to an item (shared/stats/counter-sets.ts). */
export const STATS_TABLE = {
  id: 'stats',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

/**
 * What a customer is part of, one item each with a lifetime: enrollments
 * (`e#<enrollmentId>`), waiting steps (`w#<event>#<enrollmentId>#<stepId>`,
 * so one query finds the waiters of an event), message steps waiting for
 * their outcome (`o#<provider message id>`, found by delivery feedback),
 * re-entry records (`r#<journey>[#<correlation>]`) and entry-limit records
 * (`l#<journey>`). Removed when their life ends; TTL as a backstop.
 */
export const ENROLLMENTS_TABLE = {
  id: 'enrollments',
  partitionKey: { name: 'userId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

/** The sort keys of ENROLLMENTS_TABLE items. */
export const enrollmentKeys = {
  enrollment: (enrollmentId: string) => `e#${enrollmentId}`,
  enrollmentPrefix: 'e#',
  waiter: (event: string, enrollmentId: string, stepId: string) => `w#${event}#${enrollmentId}#${stepId}`,
  waitersOf: (event: string) => `w#${event}#`,
  waiterPrefix: 'w#',
  reentry: (key: string) => `r#${key}`,
  outcomeWaiter: (messageId: string) => `o#${messageId}`,
  outcomeWaiterPrefix: 'o#',
  /**
   * The sort keys from the first outcome waiter to past the last waiting step (`o#` … `w#…`, the re-entry
   * records between): one query finds what an enrollment leaves waiting of both kinds.
   */
  waitingRange: { from: 'o#', to: 'w$' },
  /** The entries of a customer counted against a journey's `trigger.limit`, one item per journey. */
  entryLimit: (journeyId: string) => `l#${journeyId}`,
} as const;

export const TABLES = [
  PROFILES_TABLE,
  JOURNEYS_TABLE,
  DELIVERIES_TABLE,
  STATS_TABLE,
  ENROLLMENTS_TABLE,
] as const;

/**
 * The profile item keeps each trait in its own top-level attribute `t:<trait>`
 * (never a nested map: one UpdateItem cannot create a map and a path inside
 * it). The repositories and compiled `updateProfile` steps both write them.
 */
export function profileTraitAttribute(trait: string): string {
  return `t:${trait}`;
}
