import { ActiveEnrollment, ReentryRecord, Waiter } from '#shared/profile/state.ts';
import { packSeen } from './profile-counter.ts';
import { attr, LEGACY_PREFIXES, PROFILE_FORMAT, storedTime } from './profile-item.ts';
import { digestOfHex, GUARD_ATTRIBUTES } from './redelivery-guard.ts';

/**
 * Items of older layouts are migrated by their next write, nothing lost:
 *
 * - layout 1 kept active enrollments (`a:`), waiting steps (`w:`), re-entry
 *   records (`r:`) and every message id ever seen (`m:`) on the profile: the
 *   records still alive move to the enrollments table, the attributes go;
 * - layouts 2 and 3 kept count, first and last seen of an event in three
 *   attributes (`en:`, `ef:`, `el:`, times as ISO strings in layout 2), days
 *   as `ed:<event>:<YYYY-MM-DD>`, snapshots as maps (`ex:`), redelivery
 *   digests as hex strings (`mh:<slot>`) and `traitsAt`: each is rewritten in
 *   the current layout (profile-item.ts);
 * - layout 4 kept the redelivery guard in 32 slots (`h0`…`hv`), each an
 *   8-byte binary digest: they move into the guard's earlier list, so a
 *   redelivery of what they hold is still recognised.
 */

export type LegacyRecords = {
  enrollments: ActiveEnrollment[];
  waiters: Waiter[];
  reentry: { key: string; record: ReentryRecord }[];
  /** Every legacy attribute name, to remove once the records are moved. */
  attributes: string[];
};

/** True when the item exists and is in an older layout. */
export function needsMigration(item: Readonly<Record<string, unknown>> | undefined): boolean {
  return item !== undefined && item[attr.format] !== PROFILE_FORMAT;
}

export function legacyRecords(item: Readonly<Record<string, unknown>>): LegacyRecords {
  const out: LegacyRecords = { enrollments: [], waiters: [], reentry: [], attributes: [] };
  for (const [key, value] of Object.entries(item)) {
    const prefix = LEGACY_PREFIXES.find((p) => key.startsWith(p));
    if (prefix === undefined) continue;
    out.attributes.push(key);
    if (prefix === 'a:') {
      const parsed = ActiveEnrollment.safeParse(value);
      if (parsed.success) out.enrollments.push(parsed.data);
    } else if (prefix === 'w:') {
      const parsed = Waiter.safeParse(value);
      if (parsed.success) out.waiters.push(parsed.data);
    } else if (prefix === 'r:') {
      const parsed = ReentryRecord.safeParse(value);
      if (parsed.success) out.reentry.push({ key: key.slice(2), record: parsed.data });
    }
  }
  return out;
}

/** Attributes to set and remove together: one event name's, or one slot's, so a partial migration loses nothing. */
export type Conversion = { set: [string, unknown][]; remove: string[] };

type OlderEvent = { count?: number; firstMs?: number; lastMs?: number; keys: string[] };

function timeOf(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? storedTime(value) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A layout-2/3 day bucket, snapshot, digest or `traitsAt` in the current layout; undefined when dropped. */
function convertSingle(key: string, value: unknown): [string, unknown] | undefined {
  if (key === 'traitsAt') {
    const at = timeOf(value);
    return at === undefined ? undefined : [attr.traitsAt, at];
  }
  const rest = key.slice(3);
  if (key.startsWith('ed:')) {
    const split = rest.lastIndexOf(':');
    const day = rest.slice(split + 1);
    if (split < 0 || !/^\d{4}-\d{2}-\d{2}$/.test(day) || typeof value !== 'number') return undefined;
    return [attr.day(rest.slice(0, split), day), value];
  }
  if (key.startsWith('ex:')) {
    if (!isRecord(value) || typeof value.messageId !== 'string' || !isRecord(value.properties))
      return undefined;
    const at = timeOf(value.timestamp);
    return at === undefined ? undefined : [attr.snapshot(rest), [value.messageId, at, value.properties]];
  }
  return undefined;
}

const SINGLE = /^(ed:|ex:|traitsAt$)/;
/** The guard's slots: `mh:<slot>` with a hex digest (layouts 2 and 3), `h<slot in base 32>` with 8 bytes (layout 4). */
const GUARD_SLOT = /^(mh:\d+|h[0-9a-v])$/;

/** The digest a slot of an older guard holds, as the current guard keeps it; undefined when it holds none. */
function slotDigest(value: unknown): number | undefined {
  const hex =
    typeof value === 'string' ? value : value instanceof Uint8Array ? Buffer.from(value).toString('hex') : '';
  return /^[0-9a-f]{16}$/.test(hex) ? digestOfHex(hex) : undefined;
}

/** The older guard's slots into the guard's earlier list, in one group (unless a list is there already). */
function guardConversion(item: Readonly<Record<string, unknown>>): Conversion[] {
  const slots = Object.keys(item).filter((key) => GUARD_SLOT.test(key));
  if (slots.length === 0) return [];
  const digests = slots.flatMap((key) => slotDigest(item[key]) ?? []);
  const earlier = GUARD_ATTRIBUTES.earlier;
  const set: [string, unknown][] = Object.hasOwn(item, earlier) ? [] : [[earlier, digests]];
  return [{ set, remove: slots }];
}

/**
 * The changes that bring a layout-2/3/4 item to the current layout. A value
 * already in the current layout wins (a migration cut short and run again
 * converts nothing twice).
 */
export function layoutConversion(item: Readonly<Record<string, unknown>>): Conversion[] {
  const has = (key: string) => Object.hasOwn(item, key);
  const events = new Map<string, OlderEvent>();
  const out: Conversion[] = guardConversion(item);
  for (const [key, value] of Object.entries(item)) {
    if (SINGLE.test(key)) {
      const converted = convertSingle(key, value);
      out.push({ set: converted === undefined || has(converted[0]) ? [] : [converted], remove: [key] });
      continue;
    }
    const prefix = key.slice(0, 3);
    if (prefix !== 'en:' && prefix !== 'ef:' && prefix !== 'el:') continue;
    const event = key.slice(3);
    const older = events.get(event) ?? { keys: [] };
    older.keys.push(key);
    if (prefix === 'en:' && typeof value === 'number') older.count = value;
    if (prefix === 'ef:') older.firstMs = timeOf(value);
    if (prefix === 'el:') older.lastMs = timeOf(value);
    events.set(event, older);
  }
  for (const [event, older] of events) {
    const set: [string, unknown][] = [];
    const { count, firstMs, lastMs } = older;
    if (!has(attr.seen(event)) && count !== undefined && firstMs !== undefined)
      set.push([attr.seen(event), packSeen(count, firstMs)]);
    if (!has(attr.last(event)) && lastMs !== undefined) set.push([attr.last(event), lastMs]);
    out.push({ set, remove: older.keys });
  }
  return out;
}
