import { EventCounter } from '../profile/profile.ts';
import { isRecord } from './path.ts';
import { instantOf, shiftedInstant } from './relative-time.ts';
import type { Performed } from './schema.ts';

/** The longest trailing window an event-history check may count over (daily counters are kept this long). */
export const MAX_HISTORY_WINDOW = 'P90D';

/**
 * Event-history checks (`performed`) against the counters kept on the
 * profile under `profile.events[<event name>]`.
 */

const DAY_KEY = /^\d{4}-\d{2}-\d{2}$/;

/** The counter of one event name on a profile; `undefined` when absent or malformed. */
function counterOf(profile: unknown, eventName: string): EventCounter | undefined {
  if (!isRecord(profile)) return undefined;
  const events = profile.events;
  if (!isRecord(events) || !Object.hasOwn(events, eventName)) return undefined;
  const parsed = EventCounter.safeParse(events[eventName]);
  return parsed.success ? parsed.data : undefined;
}

/** The UTC day (YYYY-MM-DD) of an instant in epoch milliseconds. */
function utcDay(millis: number): string {
  const date = new Date(millis);
  if (Number.isNaN(date.getTime())) return '';
  // Years 0-9999 (every date a window can reach) print as YYYY-MM-DD.
  return date.toISOString().slice(0, 10);
}

/**
 * Occurrences inside the trailing window that starts at `from`. With daily
 * buckets: the sum of the UTC days from the day of `from` to today (day
 * granularity: the first day counts whole). Without them, a best effort
 * from first/last: everything when the first occurrence is inside the
 * window, nothing when the last one is before it, and otherwise 1 (only the
 * last occurrence is known to be inside).
 */
function countInWindow(counter: EventCounter, from: number, now: number): number {
  if (counter.days !== undefined) {
    const firstDay = utcDay(from);
    const today = utcDay(now);
    let total = 0;
    for (const [day, n] of Object.entries(counter.days)) {
      if (DAY_KEY.test(day) && day >= firstDay && day <= today) total += n;
    }
    return total;
  }
  // The profile writes these itself, with their offset: no customer zone is needed to read them.
  const first = instantOf(counter.first, 'UTC');
  const last = instantOf(counter.last, 'UTC');
  if (first !== undefined && first >= from) return counter.count;
  if (last !== undefined && last >= from) return Math.min(1, counter.count);
  return 0;
}

/**
 * True when the customer performed the event between `atLeast` and `atMost`
 * times (both inclusive), over all time or over the trailing `within`
 * window. `atLeast` defaults to 1, or to 0 when `atMost` is given (so
 * `{ performed, atMost: 0 }` reads "never performed"). A profile without a
 * counter for the event has performed it 0 times.
 */
export function performedMatches(check: Performed, profile: unknown, now: Date): boolean {
  const counter = counterOf(profile, check.performed);
  let count = counter?.count ?? 0;
  if (counter !== undefined && check.within !== undefined) {
    const from = shiftedInstant(now, check.within, -1);
    if (from === undefined) return false;
    count = countInWindow(counter, from, now.getTime());
  }
  const atLeast = check.atLeast ?? (check.atMost === undefined ? 1 : 0);
  return count >= atLeast && (check.atMost === undefined || count <= check.atMost);
}
