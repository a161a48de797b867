import { MAX_HISTORY_WINDOW } from '#shared/conditions/history.ts';
import { storedItemSize, storedValueSize } from '#shared/ingest/stored-size.ts';
import { durationSeconds } from '#shared/time.ts';
import { utf8Length } from '#shared/utf8.ts';
import { newestDay } from './profile-day-history.ts';
import { dayNumberOf, tokenRegisteredAt } from './profile-item.ts';

/**
 * What keeps a profile item bounded: after each write (which returns the
 * whole item at no extra capacity cost), the attributes past their life are
 * found here and removed in one extra write when that is worth it.
 *
 * - daily event buckets older than the longest history window (MAX_HISTORY_WINDOW, 90 days),
 *   plus one day, and folded days (profile-day-history.ts) whose newest is that old; the
 *   all-time count, first and last keep the older history; and the daily counts of an
 *   event no live journey counts over a window any more;
 * - the snapshot of an event's last occurrence after SNAPSHOT_LIFETIME (it only
 *   serves a waiting step that registers just after the event arrived), and
 *   the oldest snapshots beyond MAX_SNAPSHOTS;
 * - waiting-step summaries at zero;
 * - the counters of the least recently seen event names beyond MAX_EVENT_NAMES;
 * - the least recently registered push tokens beyond MAX_PUSH_TOKENS;
 * - explicit topic opt-ins beyond MAX_TOPICS on a channel (a topic with no
 *   value is opted in: only an opt-out changes what is sent, and opt-outs are never dropped);
 * - the keys of merged profiles after MERGED_KEY_LIFETIME (every enrollment
 *   entered under them has ended), and the oldest beyond MAX_MERGED_KEYS.
 */

const DAY_MS = 86_400_000;

/** Distinct event names whose counters a profile keeps; the least recently seen go first. */
const MAX_EVENT_NAMES = 100;
/**
 * Device tokens a profile keeps: a customer's devices. Apps that register a
 * new token on every launch, or reinstalls, would otherwise pile them up
 * until the item reached DynamoDB's 400 KB and every write for the customer failed.
 */
const MAX_PUSH_TOKENS = 10;
/** Topic values kept per channel before explicit opt-ins are dropped (opt-outs stay). */
const MAX_TOPICS = 50;
/**
 * Snapshots of awaited events a profile keeps, the most recent (each at most
 * 2 KB): a customer who does more distinct awaited things within a day than
 * this loses the oldest snapshots, not the profile's room.
 */
const MAX_SNAPSHOTS = 20;
/** How long the snapshot of an awaited event's last occurrence is kept. */
const SNAPSHOT_LIFETIME_SECONDS = 24 * 3600;
/**
 * How long a merged profile's key is kept on the profile it joined: an
 * enrollment entered under it before the merge runs at most a year (a
 * Standard execution's limit), plus a day.
 */
const MERGED_KEY_LIFETIME_MS = 366 * DAY_MS;
/**
 * Merged keys a profile keeps, the most recent: each one costs a query of its
 * enrollments when a goal or exit event arrives, and of its waiting steps when an awaited one does.
 */
export const MAX_MERGED_KEYS = 5;
/** Stale attributes tolerated before a compaction even when it would not lower the billed size. */
const STALE_TOLERATED = 64;
/** One UpdateItem removes at most this many attributes (DynamoDB's 4 KB expression limit). */
export const REMOVE_BATCH = 100;

/** Days of daily counts a profile keeps: the longest history window a condition can ask, plus one. */
export const HISTORY_DAYS = Math.ceil((durationSeconds(MAX_HISTORY_WINDOW) ?? 0) / 86400) + 1;

export function itemSize(item: Readonly<Record<string, unknown>>): number {
  return storedItemSize(item);
}

/** True when a UTC day (YYYY-MM-DD) is inside the longest history window a condition can ask, seen from `now`. */
export function withinHistory(isoDay: string, now: Date): boolean {
  const day = Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / DAY_MS);
  return Math.floor(now.getTime() / DAY_MS) - day <= HISTORY_DAYS;
}

/** When a snapshot's event happened (epoch ms), from its stored list. */
function snapshotTime(value: unknown): number {
  return Array.isArray(value) && typeof value[1] === 'number' ? value[1] : 0;
}

/** The event name an event attribute belongs to. */
function eventOf(key: string): string | undefined {
  if (key.startsWith('c:') || key.startsWith('l:') || key.startsWith('x:')) return key.slice(2);
  if (key.startsWith('d:')) return key.slice(2, key.lastIndexOf(':'));
  if (key.startsWith('dh:')) return key.slice(3);
  return undefined;
}

/**
 * Attributes of the item past their life (see the module comment). `counted`:
 * the event names live journeys count over a window, when known; the daily
 * counts of any other name are past their life too.
 */
export function staleAttributes(
  item: Readonly<Record<string, unknown>>,
  now: Date,
  counted?: ReadonlySet<string>,
): string[] {
  const today = Math.floor(now.getTime() / DAY_MS);
  const stale: string[] = [];
  const lastSeen = new Map<string, number>();
  for (const [key, value] of Object.entries(item)) {
    if (key.startsWith('d:')) {
      const split = key.lastIndexOf(':');
      const day = dayNumberOf(key.slice(split + 1));
      if (!(today - day <= HISTORY_DAYS) || uncounted(counted, key.slice(2, split))) stale.push(key);
    } else if (key.startsWith('dh:')) {
      const newest = newestDay(value);
      if (newest === undefined || !(today - newest <= HISTORY_DAYS) || uncounted(counted, key.slice(3)))
        stale.push(key);
    } else if (key.startsWith('x:')) {
      if (!(now.getTime() - snapshotTime(value) <= SNAPSHOT_LIFETIME_SECONDS * 1000)) stale.push(key);
    } else if (key.startsWith('wf:')) {
      if (typeof value !== 'number' || value <= 0) stale.push(key);
    } else if (key.startsWith('l:')) {
      lastSeen.set(key.slice(2), typeof value === 'number' ? value : 0);
    } else if (key.startsWith('mk:')) {
      if (!(typeof value === 'number' && now.getTime() - value < MERGED_KEY_LIFETIME_MS)) stale.push(key);
    }
  }
  stale.push(...excessTokens(item), ...excessOptIns(item), ...excessSnapshots(item, new Set(stale)));
  stale.push(...excessMergedKeys(item, new Set(stale)));
  if (lastSeen.size > MAX_EVENT_NAMES) {
    const oldest = [...lastSeen].sort((a, b) => a[1] - b[1]);
    const evicted = new Set(oldest.slice(0, lastSeen.size - MAX_EVENT_NAMES).map(([event]) => event));
    const already = new Set(stale);
    for (const key of Object.keys(item)) {
      const event = eventOf(key);
      if (event !== undefined && evicted.has(event) && !already.has(key)) stale.push(key);
    }
  }
  return stale;
}

/** True when the live journeys are known and none counts `event` over a window. */
function uncounted(counted: ReadonlySet<string> | undefined, event: string): boolean {
  return counted !== undefined && !counted.has(event);
}

/** Push tokens past MAX_PUSH_TOKENS, least recently registered first. */
function excessTokens(item: Readonly<Record<string, unknown>>): string[] {
  const tokens = Object.keys(item).filter((key) => key.startsWith('tok:'));
  if (tokens.length <= MAX_PUSH_TOKENS) return [];
  const byAge = tokens.sort((a, b) => tokenRegisteredAt(item[a]) - tokenRegisteredAt(item[b]));
  return byAge.slice(0, tokens.length - MAX_PUSH_TOKENS);
}

/** Merged keys past MAX_MERGED_KEYS (those not stale already), least recently merged first. */
function excessMergedKeys(item: Readonly<Record<string, unknown>>, stale: ReadonlySet<string>): string[] {
  const kept = Object.keys(item).filter((key) => key.startsWith('mk:') && !stale.has(key));
  if (kept.length <= MAX_MERGED_KEYS) return [];
  const at = (key: string) => Number(item[key]);
  const byAge = kept.sort((a, b) => at(a) - at(b) || (a < b ? -1 : 1));
  return byAge.slice(0, kept.length - MAX_MERGED_KEYS);
}

/** Snapshots past MAX_SNAPSHOTS (those not stale already), oldest first. */
function excessSnapshots(item: Readonly<Record<string, unknown>>, stale: ReadonlySet<string>): string[] {
  const kept = Object.keys(item).filter((key) => key.startsWith('x:') && !stale.has(key));
  if (kept.length <= MAX_SNAPSHOTS) return [];
  const byAge = kept.sort((a, b) => snapshotTime(item[a]) - snapshotTime(item[b]));
  return byAge.slice(0, kept.length - MAX_SNAPSHOTS);
}

/** Explicit topic opt-ins of a channel past MAX_TOPICS topic values (opt-outs are kept). */
function excessOptIns(item: Readonly<Record<string, unknown>>): string[] {
  const byChannel = new Map<string, { count: number; optIns: string[] }>();
  for (const [key, value] of Object.entries(item)) {
    if (!key.startsWith('ct:')) continue;
    const channel = key.slice(3, key.indexOf(':', 3));
    const topics = byChannel.get(channel) ?? { count: 0, optIns: [] };
    topics.count += 1;
    if (value === true) topics.optIns.push(key);
    byChannel.set(channel, topics);
  }
  return [...byChannel.values()].flatMap(({ count, optIns }) =>
    optIns.sort().slice(0, Math.max(0, count - MAX_TOPICS)),
  );
}

/**
 * True when the item holds more push tokens, topic opt-ins or snapshots than
 * it keeps, or a merged key past its life (removed at once: each is a write's worth). A snapshot is also
 * stale after a day: it counts here only while the item holds more than it keeps.
 */
function overCapped(item: Readonly<Record<string, unknown>>, stale: readonly string[]): boolean {
  // A merged key past its life or the cap costs a query on every goal or exit event until it goes.
  if (stale.some((key) => key.startsWith('tok:') || key.startsWith('ct:') || key.startsWith('mk:')))
    return true;
  return Object.keys(item).filter((key) => key.startsWith('x:')).length > MAX_SNAPSHOTS;
}

/**
 * Whether removing `stale` is worth a write now: when it lowers the item's
 * billed size (every later write is cheaper), or once enough has piled up.
 */
export function worthCompacting(item: Readonly<Record<string, unknown>>, stale: readonly string[]): boolean {
  if (stale.length === 0) return false;
  if (overCapped(item, stale)) return true;
  if (stale.length >= STALE_TOLERATED) return true;
  const size = itemSize(item);
  const saved = stale.reduce((a, key) => a + utf8Length(key) + storedValueSize(item[key]), 0);
  return Math.ceil(size / 1024) > Math.ceil((size - saved) / 1024);
}
