/**
 * An event name's daily counts, folded into one binary attribute.
 *
 * The hot path counts a day with `ADD d:<event>:<day> 1`: no read, one write.
 * Kept that way for the whole history window, a name a condition counts over
 * would cost one attribute per active day — the name is stored with each, so
 * about 17 bytes a day and 1.5 KB per name at 91 days. Instead, once a name
 * has FOLD_AFTER loose days before today, the compaction that follows a write
 * folds them into `dh:<event>`: pairs of (days since the previous entry,
 * count) as unsigned LEB128 varints, the first entry's day absolute (days
 * since 1970). 91 active days take about 250 bytes.
 *
 * Today's bucket is never folded (concurrent events add to it); an event that
 * arrives late for a folded day makes a loose bucket again, and readers add
 * both. The fold is conditional on every value it read, so an increment that
 * lands between the read and the fold is never lost: the fold is refused and
 * tried again after a later write.
 */

/** Loose past days of one name that make a fold worth its write. */
export const FOLD_AFTER = 7;
/** Loose days one fold takes at most (the oldest first), keeping its condition within DynamoDB's limits. */
const FOLD_BATCH = 60;

/** The attribute holding an event name's folded days. */
export function foldedAttribute(event: string): string {
  return `dh:${event}`;
}

function writeVarint(out: number[], value: number): void {
  let rest = Math.max(0, Math.trunc(value));
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

/** Daily counts (days since 1970 → count) as the stored binary; days with no count are left out. */
export function packDays(days: ReadonlyMap<number, number>): Uint8Array {
  const out: number[] = [];
  let previous: number | undefined;
  for (const day of [...days.keys()].sort((a, b) => a - b)) {
    const count = days.get(day) ?? 0;
    if (count <= 0) continue;
    writeVarint(out, previous === undefined ? day : day - previous);
    writeVarint(out, count);
    previous = day;
  }
  return Uint8Array.from(out);
}

/** The daily counts of a stored binary; undefined when the value is not one (then it is ignored). */
export function unpackDays(value: unknown): Map<number, number> | undefined {
  if (!(value instanceof Uint8Array)) return undefined;
  const days = new Map<number, number>();
  const numbers: number[] = [];
  let current = 0;
  let scale = 1;
  for (const byte of value) {
    current += (byte & 0x7f) * scale;
    if (byte & 0x80) {
      scale *= 0x80;
      continue;
    }
    numbers.push(current);
    current = 0;
    scale = 1;
  }
  if (scale !== 1 || numbers.length % 2 !== 0) return undefined;
  let day = 0;
  for (let i = 0; i < numbers.length; i += 2) {
    day = i === 0 ? (numbers[i] ?? 0) : day + (numbers[i] ?? 0);
    days.set(day, (days.get(day) ?? 0) + (numbers[i + 1] ?? 0));
  }
  return days;
}

/** One name's fold: the loose buckets it removes (with the values read), and the folded value before and after. */
export type Fold = {
  event: string;
  loose: { key: string; count: number }[];
  before: Uint8Array | undefined;
  after: Uint8Array;
};

/**
 * The folds a profile item is due: for each event name with at least
 * FOLD_AFTER loose buckets before `today`, those buckets and the folded value
 * merged, keeping only days within `keepDays` of today.
 */
export function duePlans(
  item: Readonly<Record<string, unknown>>,
  today: number,
  keepDays: number,
  dayOf: (code: string) => number,
): Fold[] {
  const loose = new Map<string, { key: string; day: number; count: number }[]>();
  for (const [key, value] of Object.entries(item)) {
    if (!key.startsWith('d:') || typeof value !== 'number') continue;
    const split = key.lastIndexOf(':');
    const day = dayOf(key.slice(split + 1));
    if (!Number.isFinite(day) || day >= today) continue;
    const event = key.slice(2, split);
    let list = loose.get(event);
    if (list === undefined) {
      list = [];
      loose.set(event, list);
    }
    list.push({ key, day, count: value });
  }
  const folds: Fold[] = [];
  for (const [event, buckets] of loose) {
    if (buckets.length < FOLD_AFTER) continue;
    buckets.sort((a, b) => a.day - b.day);
    buckets.splice(FOLD_BATCH);
    const stored = item[foldedAttribute(event)];
    const before = stored instanceof Uint8Array ? stored : undefined;
    const days = unpackDays(before) ?? new Map<number, number>();
    for (const { day, count } of buckets) days.set(day, (days.get(day) ?? 0) + count);
    for (const day of days.keys()) if (today - day > keepDays) days.delete(day);
    folds.push({
      event,
      loose: buckets.map(({ key, count }) => ({ key, count })),
      before,
      after: packDays(days),
    });
  }
  return folds;
}

/** The newest day a folded value holds; undefined when it holds none. */
export function newestDay(value: unknown): number | undefined {
  const days = unpackDays(value);
  return days === undefined || days.size === 0 ? undefined : Math.max(...days.keys());
}

/** Two folded values added up, keeping only days within `keepDays` of today. */
export function addFolded(a: unknown, b: unknown, today: number, keepDays: number): Uint8Array {
  const days = unpackDays(a) ?? new Map<number, number>();
  for (const [day, count] of unpackDays(b) ?? []) days.set(day, (days.get(day) ?? 0) + count);
  for (const day of days.keys()) if (today - day > keepDays) days.delete(day);
  return packDays(days);
}
