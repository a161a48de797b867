import * as z from '../zod.ts';

/**
 * The work items of a segment run, carried on the segment queue between the
 * scheduled fan-out and the paced worker. A run is identified by its
 * scheduled time, so a retried schedule invocation repeats the same run.
 */

/**
 * The most parallel Scan segments a run takes: how many workers can read the
 * profiles table at once. A segment's pages are read one after another, each
 * queued behind the enroll items before it, so a million profiles need
 * several to keep every worker starting enrollments at the full rate.
 */
export const SCAN_SEGMENTS = 8;
/** Profiles table items per Scan segment: a table of a few thousand is read by one. */
export const ITEMS_PER_SCAN_SEGMENT = 50_000;
/** Profiles table bytes per Scan segment (large profiles take more pages: a page reads at most 1 MB). */
export const BYTES_PER_SCAN_SEGMENT = 256 * 1024 * 1024;

/**
 * How many Scan segments a run takes for a profiles table of this size
 * (DescribeTable's ItemCount and TableSizeBytes, refreshed by DynamoDB about
 * every six hours): one per ITEMS_PER_SCAN_SEGMENT items or
 * BYTES_PER_SCAN_SEGMENT bytes, whichever gives more, at least 1 and at most
 * SCAN_SEGMENTS. An unknown size takes the most: never slower than before.
 */
export function scanSegmentsFor(size: { items: number; bytes: number } | undefined): number {
  if (size === undefined) return SCAN_SEGMENTS;
  const wanted = Math.max(
    Math.ceil(size.items / ITEMS_PER_SCAN_SEGMENT),
    Math.ceil(size.bytes / BYTES_PER_SCAN_SEGMENT),
  );
  return Math.min(SCAN_SEGMENTS, Math.max(1, Number.isFinite(wanted) ? wanted : SCAN_SEGMENTS));
}
/** Profiles read per scan item (one Scan page): bounds the work of one queue message. */
export const SCAN_PAGE_SIZE = 100;
/** Customers per enroll item: bounds the StartExecution calls of one queue message (~2 s at a worker's pace). */
export const ENROLL_BATCH = 50;

/** What the schedule sends: `scheduledTime` is Scheduler's `<aws.scheduler.scheduled-time>`. */
export const ScheduledRun = z.object({
  journeyId: z.string().check(z.minLength(1)),
  scheduledTime: z.optional(z.iso.datetime({ offset: true })),
});
export type ScheduledRun = z.infer<typeof ScheduledRun>;

/**
 * What the stack's five-minute rule sends: publish the open executions, so
 * that the open-executions alarm has data whether or not a segment run is at
 * work (a deployment with event-triggered journeys only has none otherwise).
 */
export const HeadroomCheck = z.object({ kind: z.literal('headroom') });
export type HeadroomCheck = z.infer<typeof HeadroomCheck>;

export const ScanItem = z.object({
  kind: z.literal('scan'),
  journeyId: z.string(),
  /** The run: its scheduled time (ISO, UTC). */
  runId: z.string(),
  segment: z.number().check(z.int(), z.gte(0)),
  totalSegments: z.number().check(z.int(), z.gte(1)),
  /** Which page of its Scan segment this is (0 for the first): the run record counts each once. */
  page: z._default(z.number().check(z.int(), z.gte(0)), 0),
  /** The Scan page to read (ExclusiveStartKey). */
  cursor: z.optional(z.record(z.string(), z.unknown())),
});
export type ScanItem = z.infer<typeof ScanItem>;

export const EnrollItem = z.object({
  kind: z.literal('enroll'),
  journeyId: z.string(),
  runId: z.string(),
  userIds: z.array(z.string()).check(z.minLength(1), z.maxLength(ENROLL_BATCH)),
  /** The Scan segment whose page queued the item, and its number there (0, 1, 2… in page order): the run counts it once. */
  segment: z.optional(z.number().check(z.int(), z.gte(0))),
  number: z.optional(z.number().check(z.int(), z.gte(0))),
});
export type EnrollItem = z.infer<typeof EnrollItem>;

export const SegmentWork = z.discriminatedUnion('kind', [ScanItem, EnrollItem]);
export type SegmentWork = z.infer<typeof SegmentWork>;

/** The first scan item of every segment of a run. */
export function scanItems(journeyId: string, runId: string, totalSegments = SCAN_SEGMENTS): ScanItem[] {
  return Array.from({ length: totalSegments }, (_, segment) => ({
    kind: 'scan',
    journeyId,
    runId,
    segment,
    totalSegments,
    page: 0,
  }));
}

/**
 * The enroll items for the customers a scan page matched, ENROLL_BATCH
 * customers each, numbered in their Scan segment from `first` (how many items
 * the segment's pages before queued).
 */
export function enrollItems(
  journeyId: string,
  runId: string,
  userIds: readonly string[],
  at: { segment: number; first: number },
): EnrollItem[] {
  const items: EnrollItem[] = [];
  for (let i = 0; i < userIds.length; i += ENROLL_BATCH) {
    const number = at.first + i / ENROLL_BATCH;
    const batch = userIds.slice(i, i + ENROLL_BATCH);
    items.push({ kind: 'enroll', journeyId, runId, userIds: batch, segment: at.segment, number });
  }
  return items;
}
