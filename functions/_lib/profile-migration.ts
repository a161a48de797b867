import { ActiveEnrollment, ReentryRecord, Waiter } from '#shared/ingest/state.ts';
import { attr, LEGACY_PREFIXES, PROFILE_FORMAT } from './profile-item.ts';

/**
 * Items written before the bounded layout keep active enrollments (`a:`),
 * waiting steps (`w:`), re-entry records (`r:`) and every message id ever
 * seen (`m:`) on the profile. Their next write migrates them: the records
 * still alive move to the enrollments table, the attributes are removed.
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
