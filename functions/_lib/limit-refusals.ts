import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '#shared/metrics.ts';
import { logger, metrics } from './observability.ts';
import { messageDigest } from './redelivery-guard.ts';

/**
 * The entries an entry limit refused, kept on the customer's limit record
 * (entry-limits.ts) so that each refusal is counted once (`entrySkipped`,
 * `limit`) however often its trigger comes again. The refusal is written
 * before its count, with its time; the count, written under the count guard
 * with that time, then marks it counted. A later attempt at the same entry
 * (a redelivered event, a segment page scanned again) finds it and stays
 * refused: a refusal marked counted is not counted again; one still pending
 * is counted again under the guard, which tells whether the first landed.
 *
 * Each refusal is an attribute of its own, `rf` and the entry id's digest
 * (base 36), holding its time and whether it was counted (about 30 bytes):
 * written and settled without reading the record and without moving its
 * revision, so refusals never contend with entries nor with each other.
 * At most MAX_REFUSALS: the write that finds more removes the oldest, a
 * pending one with an error log line and `CountsUnsettled`. The record is
 * kept a week past its last refusal, as long as other pending marks keep
 * their items.
 */
const PREFIX = 'rf';
/** Refusals kept at most, twice the events the redelivery guard recognises a redelivery across. */
export const MAX_REFUSALS = 64;
/** How long a refusal is kept: longer than an event or a queue message is retried. */
export const REFUSAL_KEPT_SECONDS = 7 * 24 * 3600;

export type Refusal = { at: number; counted: boolean };

/** How a refusal's count is written: under the guard (marked at `pendingAt`; `retry` when an earlier attempt may have), or not again. */
export type RefusalCount = { pendingAt: number; retry: boolean } | 'counted';

/** The attribute of an entry's refusal. */
export function refusalAttribute(entryId: string): string {
  return `${PREFIX}${messageDigest(entryId).toString(36)}`;
}

function refusalOf(value: unknown): Refusal | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const at: unknown = Reflect.get(value, 'at');
  return typeof at === 'number' ? { at, counted: Reflect.get(value, 'counted') === true } : undefined;
}

/** The refusals on a record as stored, by attribute. */
export function readRefusals(item: Readonly<Record<string, unknown>> | undefined): Map<string, Refusal> {
  const out = new Map<string, Refusal>();
  for (const [name, value] of Object.entries(item ?? {})) {
    const refusal = name.startsWith(PREFIX) ? refusalOf(value) : undefined;
    if (refusal !== undefined) out.set(name, refusal);
  }
  return out;
}

/** What a later attempt at a refused entry owes: nothing once counted, else the count under the guard. */
export function countOf(refusal: Refusal): RefusalCount {
  return refusal.counted ? 'counted' : { pendingAt: refusal.at, retry: true };
}

/** The attributes past the bound on a record after a write, oldest first, each pending one accounted for. */
export function refusalsOver(
  item: Readonly<Record<string, unknown>> | undefined,
  owner: { userId: string; journeyId: string },
): string[] {
  const all = [...readRefusals(item)].sort(([, a], [, b]) => a.at - b.at);
  const over = all.slice(0, Math.max(0, all.length - MAX_REFUSALS));
  for (const [name, refusal] of over) if (!refusal.counted) accountDropped(owner, name, refusal);
  return over.map(([name]) => name);
}

/** A pending refusal left out past the bound: a later attempt at its entry could not tell whether it was counted. */
function accountDropped(owner: { userId: string; journeyId: string }, name: string, refusal: Refusal) {
  const single = metrics.singleMetric();
  single.addDimensions({ journey: owner.journeyId });
  single.addMetric(METRICS.countsUnsettled, MetricUnit.Count, 1);
  logger.error(
    'an entry limit refusal left pending past the bound: its skip may be missing or counted twice',
    {
      ...owner,
      refusal: name,
      at: new Date(refusal.at).toISOString(),
    },
  );
}

/** When the record may expire for a refusal's sake (epoch seconds). */
export function refusalKeptUntil(atMs: number): number {
  return Math.ceil(atMs / 1000) + REFUSAL_KEPT_SECONDS;
}

/** When the record may expire for its refusals' sake (epoch seconds; 0 with none). */
export function refusalsKeptUntil(refusals: ReadonlyMap<string, Refusal>): number {
  let latest = 0;
  for (const r of refusals.values()) latest = Math.max(latest, r.at);
  return latest === 0 ? 0 : refusalKeptUntil(latest);
}
