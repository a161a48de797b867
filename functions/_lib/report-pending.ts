import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '#shared/metrics.ts';
import type { UpdateBuilder } from './expression.ts';
import { logger, metrics } from './observability.ts';

/**
 * What an event owes once the write that takes it has landed — the report of
 * traits it left out of the profile (sent to the rejected queue), and the
 * skips the journeys it names count — is marked pending by that write, and
 * settled once done. A redelivery, recognised as one by the redelivery guard,
 * finds the mark when the invocation that took the event died before
 * settling it, and does it again: the report at least once (each copy naming
 * the event's messageId), the skips once (their counts are guarded, and the
 * mark's time tells the guard when the first attempt could have written them).
 *
 * The marks are one string set on the profile, `owe`, each element the
 * event's digest and the mark's time: marks of several events stay apart, so
 * a later event's settle leaves an earlier one's pending for its redelivery.
 * A mark stays only while an invocation that died awaits its redelivery; the
 * write that finds more than MAX_OWED marks removes the oldest and accounts
 * for each (a log line and DroppedTraitReportsLost, reason `PendingOverflow`):
 * the set holds at most MAX_OWED, plus one per write running at that moment.
 */
const OWED = 'owe';
/** The single mark of the earlier layout: one event's digest, a report only. */
const LEGACY_REPORT = 'rpt';
/** Marks kept at most: each stands for an invocation that died and whose redelivery has not come yet. */
export const MAX_OWED = 8;
const RADIX = 36;

export type OwedMark = {
  /** The element in `owe` (absent for the earlier layout's mark). */
  element?: string;
  /** When the write that took the event marked it (epoch milliseconds; 0 when unknown). */
  at: number;
};

function elementOf(digest: number, atMs: number): string {
  return `${digest.toString(RADIX)}.${atMs.toString(RADIX)}`;
}

function elements(item: Readonly<Record<string, unknown>> | undefined): string[] {
  const value = item?.[OWED];
  return value instanceof Set ? [...value].filter((e): e is string => typeof e === 'string') : [];
}

function markTime(element: string): number {
  return Number.parseInt(element.slice(element.indexOf('.') + 1), RADIX);
}

/** Adds the event's mark to the write that takes it, when it owes anything; returns the mark. */
export function markOwed(b: UpdateBuilder, digest: number, at: Date, owes: boolean): OwedMark | undefined {
  if (!owes) return undefined;
  const element = elementOf(digest, at.getTime());
  b.add(OWED, new Set([element]));
  return { element, at: at.getTime() };
}

/** The event's mark still pending on the item, if any. */
export function owedMark(
  item: Readonly<Record<string, unknown>> | undefined,
  digest: number,
): OwedMark | undefined {
  const prefix = `${digest.toString(RADIX)}.`;
  const element = elements(item).find((e) => e.startsWith(prefix));
  if (element !== undefined) return { element, at: markTime(element) };
  return item?.[LEGACY_REPORT] === digest ? { at: 0 } : undefined;
}

/** Takes the event's mark out (no condition: a mark already gone is no error). */
export function settleOwed(b: UpdateBuilder, mark: OwedMark, digest: number): string | undefined {
  if (mark.element !== undefined) {
    b.deleteFrom(OWED, new Set([mark.element]));
    return undefined;
  }
  b.remove(LEGACY_REPORT);
  return `${b.name(LEGACY_REPORT)} = ${b.value(digest)}`;
}

/**
 * The marks past MAX_OWED on the item after a write, oldest first, each
 * accounted for as it is taken out: what it owed will not be done.
 */
export function overflowingMarks(
  item: Readonly<Record<string, unknown>> | undefined,
  userId: string,
): string[] {
  const marks = elements(item).sort((a, b) => markTime(a) - markTime(b));
  const over = marks.slice(0, Math.max(0, marks.length - MAX_OWED));
  for (const element of over) {
    const single = metrics.singleMetric();
    single.addDimensions({ reason: 'PendingOverflow' });
    single.addMetric(METRICS.droppedTraitReportsLost, MetricUnit.Count, 1);
    logger.error('an event left follow-ups pending past the bound: its redelivery will not do them', {
      userId,
      mark: element,
    });
  }
  return over;
}

/** Takes marks out of the set. */
export function dropMarks(b: UpdateBuilder, marks: readonly string[]): void {
  b.deleteFrom(OWED, new Set(marks));
}
