import type { UpdateBuilder } from './expression.ts';

/**
 * The report of traits an event's write left out of the profile (sent to the
 * rejected queue) is owed by the write that takes the event: that write marks
 * it pending on the profile, with the event's digest, and the mark is settled
 * once the report is sent. A redelivery, recognised as one by the redelivery
 * guard, finds the mark when the invocation that wrote the event died before
 * settling it, and sends the report again: at least once, each copy naming
 * the event's messageId. One number in one slot: a later event's report
 * takes the slot, so the bound holds whatever the history.
 */
const REPORT_PENDING = 'rpt';

/** Adds the mark to the write that takes the event, when it leaves traits out. */
export function markReport(b: UpdateBuilder, digest: number, dropped: readonly unknown[]): void {
  if (dropped.length > 0) b.set(REPORT_PENDING, digest);
}

/** True when the event's report is still pending on the item. */
export function reportPending(item: Readonly<Record<string, unknown>> | undefined, digest: number): boolean {
  return item?.[REPORT_PENDING] === digest;
}

/** Removes the mark, on the condition that it is still this event's: returns that condition. */
export function settleReport(b: UpdateBuilder, digest: number): string {
  b.remove(REPORT_PENDING);
  return `${b.name(REPORT_PENDING)} = ${b.value(digest)}`;
}
