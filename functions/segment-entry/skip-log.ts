import type { EntrySkip } from '#shared/ingest/entry-skip.ts';
import { countSkips, isCountedSkip } from '#shared/segment/skips.ts';

type Log = (message: string, fields: Record<string, unknown>) => void;

/**
 * Logs the customers a batch of segment work turned away, as ingest logs
 * its skips but one line per journey rather than one per customer (a run
 * turns away thousands at once): the reasons the journey's stats count
 * (entry limit, input too large) at info, the journey's own rules working as
 * written (audience, re-entry) at debug. Each line names its customers with
 * their reason, so "why did this customer not enter?" is answered by a search.
 */
export function logSkips(log: { info: Log; debug: Log }, skips: readonly EntrySkip[]): void {
  const lines = new Map<string, { counted: boolean; skips: EntrySkip[] }>();
  for (const skip of skips) {
    const counted = isCountedSkip(skip.reason);
    const key = JSON.stringify([skip.journeyId, skip.version, counted]);
    const line = lines.get(key) ?? { counted, skips: [] };
    line.skips.push(skip);
    lines.set(key, line);
  }
  for (const { counted, skips: some } of lines.values()) {
    const [first] = some;
    if (first === undefined) continue;
    const fields = {
      journeyId: first.journeyId,
      version: first.version,
      skipped: countSkips(some.map((skip) => skip.reason)),
      customers: some.map(({ userId, reason, detail }) => ({ userId, reason, ...(detail && { detail }) })),
    };
    (counted ? log.info : log.debug)('segment entries skipped', fields);
  }
}
