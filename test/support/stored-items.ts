/**
 * Every kind of item the product stores, by table and key, with what bounds
 * it: whether it carries a TTL (`expiresAt`, epoch seconds), the longest it
 * may be set ahead of now, and the largest the item may be. docs/items.md
 * explains each row; test/e2e/stored-items.test.ts holds a varied run's
 * tables against it.
 */

const DAY = 86_400;

export type StoredItemKind = {
  table: 'profiles' | 'journeys' | 'deliveries' | 'stats' | 'enrollments';
  kind: string;
  /** Matches `<partition key>` or `<partition key>|<sort key>`. */
  key: RegExp;
  /** `always`: every such item expires; `never`: kept for good (bounded); `sometimes`: expires in some cases, kept for good in the others (docs/items.md says which). */
  ttl: 'always' | 'never' | 'sometimes';
  /** The latest expiry, in seconds from now, any write may set. */
  lifetimeSeconds?: number;
  /** The largest the item may be (DynamoDB's stored size). */
  maxBytes: number;
};

const KB = 1024;

export const STORED_ITEMS: readonly StoredItemKind[] = [
  { table: 'profiles', kind: 'profile', key: /^[^|]+$/, ttl: 'never', maxBytes: 384 * KB },
  {
    table: 'journeys',
    kind: 'live journey and deploy history',
    key: /^[^#][^|]*\|live$/,
    ttl: 'never',
    maxBytes: 350 * KB,
  },
  {
    table: 'journeys',
    kind: 'pinned template snapshot',
    key: /^[^#][^|]*\|t#.+@[0-9a-f]{16}$/,
    ttl: 'sometimes',
    lifetimeSeconds: 367 * DAY,
    maxBytes: 300 * KB,
  },
  {
    table: 'journeys',
    kind: 'journey directory entry',
    key: /^#journeys\|.+$/,
    ttl: 'never',
    maxBytes: 2 * KB,
  },
  {
    table: 'journeys',
    kind: 'profile share claim',
    key: /^#profile-share\|claim#.+$/,
    ttl: 'never',
    maxBytes: 40 * KB,
  },
  {
    table: 'journeys',
    kind: 'profile share version',
    key: /^#profile-share\|version$/,
    ttl: 'never',
    maxBytes: 1 * KB,
  },
  {
    table: 'deliveries',
    kind: 'delivery record',
    key: /^(?!msg#|fb#)[^|]+#[^|]+$/,
    ttl: 'always',
    lifetimeSeconds: 400 * DAY,
    maxBytes: 16 * KB,
  },
  {
    table: 'deliveries',
    kind: 'message link',
    key: /^msg#[^|]+$/,
    ttl: 'always',
    lifetimeSeconds: 400 * DAY,
    maxBytes: 8 * KB,
  },
  {
    table: 'deliveries',
    kind: 'feedback record',
    key: /^fb#[^|]+#[^|#]+$/,
    ttl: 'always',
    lifetimeSeconds: 400 * DAY,
    maxBytes: 2 * KB,
  },
  {
    table: 'stats',
    kind: 'version and step counters',
    key: /^[^|]+#\d+\|=[vs]#[^|]+$/,
    ttl: 'sometimes',
    lifetimeSeconds: 2 * 366 * DAY,
    maxBytes: 64 * KB,
  },
  {
    table: 'stats',
    kind: 'day counters',
    key: /^[^|]+#\d+\|=d#\d{4}-\d\d-\d\d$/,
    ttl: 'always',
    lifetimeSeconds: 400 * DAY,
    maxBytes: 64 * KB,
  },
  {
    table: 'stats',
    kind: 'experiment counters',
    key: /^[^|]+#\d+\|=x#[^|]+$/,
    ttl: 'always',
    lifetimeSeconds: 2 * 366 * DAY,
    maxBytes: 16 * KB,
  },
  { table: 'stats', kind: 'retirement note', key: /^[^|]+#0\|=retired$/, ttl: 'never', maxBytes: 2 * KB },
  {
    table: 'stats',
    kind: 'segment run',
    key: /^segment-run#[^|]+\|\d{4}-.+Z$/,
    ttl: 'always',
    lifetimeSeconds: 30 * DAY,
    maxBytes: 2 * KB,
  },
  {
    table: 'stats',
    kind: 'segment run enroll item mark',
    key: /^segment-run#[^|]+\|\d{4}-[^|#]+Z#item#\d+#\d{12}$/,
    ttl: 'always',
    lifetimeSeconds: 30 * DAY,
    maxBytes: 1 * KB,
  },
  {
    table: 'stats',
    kind: 'segment run scan page as first read',
    key: /^segment-run#[^|]+\|\d{4}-[^|#]+Z#page#\d+#\d{9}$/,
    ttl: 'always',
    lifetimeSeconds: 30 * DAY,
    maxBytes: 110 * KB,
  },

  {
    table: 'enrollments',
    kind: 'enrollment',
    key: /^[^|]+\|e#.+$/,
    ttl: 'always',
    lifetimeSeconds: 366 * DAY,
    maxBytes: 200 * KB,
  },
  {
    table: 'enrollments',
    kind: 'waiting step',
    key: /^[^|]+\|w#.+$/,
    ttl: 'always',
    lifetimeSeconds: 373 * DAY,
    maxBytes: 200 * KB,
  },
  {
    table: 'enrollments',
    kind: 'outcome waiter',
    key: /^[^|]+\|o#.+$/,
    ttl: 'always',
    lifetimeSeconds: 373 * DAY,
    maxBytes: 8 * KB,
  },
  {
    table: 'enrollments',
    kind: 're-entry record',
    key: /^[^|]+\|r#.+$/,
    ttl: 'sometimes',
    lifetimeSeconds: 366 * DAY,
    maxBytes: 4 * KB,
  },
  {
    table: 'enrollments',
    kind: 'entry-limit record',
    key: /^[^|]+\|l#.+$/,
    ttl: 'always',
    lifetimeSeconds: 366 * DAY,
    maxBytes: 8 * KB,
  },
];
