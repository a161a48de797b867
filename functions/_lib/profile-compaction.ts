import { MAX_HISTORY_WINDOW } from '#shared/conditions/schema.ts';
import { durationSeconds } from '#shared/time.ts';

/**
 * What keeps a profile item bounded: after each write (which returns the
 * whole item at no extra capacity cost), the attributes past their life are
 * found here and removed in one extra write when that is worth it.
 *
 * - daily event buckets older than the longest history window (MAX_HISTORY_WINDOW, 90 days),
 *   plus one day; the all-time count, first and last keep the older history;
 * - the snapshot of an event's last occurrence after SNAPSHOT_LIFETIME (it only
 *   serves a waiting step that registers just after the event arrived);
 * - waiting-step summaries at zero;
 * - the counters of the least recently seen event names beyond MAX_EVENT_NAMES.
 */

/** Distinct event names whose counters a profile keeps; the least recently seen go first. */
export const MAX_EVENT_NAMES = 100;
/** How long the snapshot of an awaited event's last occurrence is kept. */
export const SNAPSHOT_LIFETIME_SECONDS = 24 * 3600;
/** Stale attributes tolerated before a compaction even when it would not lower the billed size. */
const STALE_TOLERATED = 64;
/** One UpdateItem removes at most this many attributes (DynamoDB's 4 KB expression limit). */
export const REMOVE_BATCH = 100;

const HISTORY_DAYS = Math.ceil((durationSeconds(MAX_HISTORY_WINDOW) ?? 0) / 86400) + 1;

function utf8(text: string): number {
  return Buffer.byteLength(text);
}

/** The size DynamoDB bills for a value, by its documented rules (numbers approximated by digits). */
export function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce<number>((a, v) => a + 1 + valueSize(v), 0);
  if (value instanceof Set) return [...value].reduce<number>((a, v) => a + valueSize(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce<number>((a, [k, v]) => a + 1 + utf8(k) + valueSize(v), 0);
  }
  return 0;
}

export function itemSize(item: Readonly<Record<string, unknown>>): number {
  return Object.entries(item).reduce((a, [k, v]) => a + utf8(k) + valueSize(v), 0);
}

function dayNumber(isoDay: string): number {
  return Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / 86_400_000);
}

/** Attributes of the item past their life (see the module comment). */
export function staleAttributes(item: Readonly<Record<string, unknown>>, now: Date): string[] {
  const today = Math.floor(now.getTime() / 86_400_000);
  const stale: string[] = [];
  const lastSeen = new Map<string, number>();
  for (const [key, value] of Object.entries(item)) {
    if (key.startsWith('ed:')) {
      const day = key.slice(key.lastIndexOf(':') + 1);
      if (today - dayNumber(day) > HISTORY_DAYS) stale.push(key);
    } else if (key.startsWith('ex:')) {
      const at =
        typeof value === 'object' && value !== null && 'timestamp' in value
          ? Date.parse(String(value.timestamp))
          : 0;
      if (!(now.getTime() - at <= SNAPSHOT_LIFETIME_SECONDS * 1000)) stale.push(key);
    } else if (key.startsWith('wf:')) {
      if (typeof value !== 'number' || value <= 0) stale.push(key);
    } else if (key.startsWith('el:')) {
      const at = typeof value === 'number' ? value : Date.parse(String(value));
      lastSeen.set(key.slice(3), Number.isFinite(at) ? at : 0);
    }
  }
  if (lastSeen.size > MAX_EVENT_NAMES) {
    const oldest = [...lastSeen].sort((a, b) => a[1] - b[1]);
    const evicted = new Set(oldest.slice(0, lastSeen.size - MAX_EVENT_NAMES).map(([event]) => event));
    for (const key of Object.keys(item)) {
      const event = eventOf(key);
      if (event !== undefined && evicted.has(event) && !stale.includes(key)) stale.push(key);
    }
  }
  return stale;
}

function eventOf(key: string): string | undefined {
  if (key.startsWith('en:') || key.startsWith('ef:') || key.startsWith('el:') || key.startsWith('ex:'))
    return key.slice(3);
  if (key.startsWith('ed:')) return key.slice(3, key.lastIndexOf(':'));
  return undefined;
}

/**
 * Whether removing `stale` is worth a write now: when it lowers the item's
 * billed size (every later write is cheaper), or once enough has piled up.
 */
export function worthCompacting(item: Readonly<Record<string, unknown>>, stale: readonly string[]): boolean {
  if (stale.length === 0) return false;
  if (stale.length >= STALE_TOLERATED) return true;
  const size = itemSize(item);
  const saved = stale.reduce((a, key) => a + utf8(key) + valueSize(item[key]), 0);
  return Math.ceil(size / 1024) > Math.ceil((size - saved) / 1024);
}
