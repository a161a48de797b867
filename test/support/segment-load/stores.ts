import type { EntryResult } from '#functions/_lib/enrollment-items.ts';
import type { SegmentDeps } from '#functions/segment-entry/deps.ts';
import type { ItemOutcome, RunKey, RunRecord, ScanProgress } from '#functions/segment-entry/runs.ts';
import type { PageRead } from '#functions/segment-entry/scan-pages.ts';
import { addSkips, noSkips } from '#shared/segment/skips.ts';
import type { SegmentWork } from '#shared/segment/work.ts';
import type { VirtualTime } from './virtual-time.ts';

/**
 * The tables segment entry writes, in memory with a latency per call: the
 * same answers as the DynamoDB repositories give (their conditional writes
 * are tested against dynalite in segment-entry.test.ts), at the model's speed.
 */
export class ModelTables {
  private readonly claims = new Map<string, string>();
  readonly enrollmentItems = new Set<string>();
  private readonly counted = new Set<string>();
  enrolledCounted = 0;
  readonly runs = new Map<
    string,
    RunRecord & {
      queued: boolean;
      items: number;
      itemsDone: number;
      /** Enroll items counted, by segment and number. */
      itemsCounted: Set<string>;
      segmentItems: Map<number, number>;
      done: Set<number>;
      positions: Map<number, number>;
      announced?: boolean;
      completedBy?: string;
    }
  >();

  constructor(
    private readonly time: VirtualTime,
    private readonly latencyMs = 6,
  ) {}

  /** The repositories of SegmentDeps, backed by this model. */
  repositories(): Pick<SegmentDeps, 'enrollments' | 'stats' | 'runs'> {
    const wait = () => this.time.sleep(this.latencyMs);
    return {
      enrollments: {
        // The load model merges no profiles: no id has entered under another.
        reentryRecord: async () => undefined,
        enrollment: async () => undefined,
        claimEntry: async (userId, key, entry): Promise<EntryResult> => {
          await wait();
          const id = `${userId}|${key}`;
          const earlier = this.claims.get(id);
          if (earlier === undefined) {
            this.claims.set(id, entry.enrollmentId);
            return { status: 'entered' };
          }
          return earlier === entry.enrollmentId ? { status: 'again', at: entry.at } : { status: 'refused' };
        },
        putEnrollment: async (userId, enrollment) => {
          await wait();
          const id = `${userId}|${enrollment.enrollmentId}`;
          const written = !this.enrollmentItems.has(id);
          this.enrollmentItems.add(id);
          return written;
        },
        forget: async (userId, enrollmentId) => {
          await wait();
          this.enrollmentItems.delete(`${userId}|${enrollmentId}`);
        },
        // The model's journey has no entry limit.
        limits: {
          claim: async () => {
            throw new Error('the load model has no entry limits');
          },
          release: async () => {},
          refuseMerged: async () => false,
          settleRefusal: async () => {},
        },
        markCounted: async (userId, enrollmentId) => {
          await wait();
          const id = `${userId}|${enrollmentId}`;
          if (!this.enrollmentItems.has(id) || this.counted.has(id)) return undefined;
          this.counted.add(id);
          return { pendingAt: 0, retry: false };
        },
        settleCount: async () => {
          await wait();
        },
      },
      stats: {
        recordEnrollment: async () => {
          await wait();
          this.enrolledCounted += 1;
          return 'applied' as const;
        },
        increment: async () => {
          await wait();
          return 'applied' as const;
        },
      },
      runs: {
        claim: async (run: RunKey, segments: number, now: Date) => {
          await wait();
          const id = `${run.journeyId}|${run.runId}`;
          const record = this.runs.get(id);
          if (record?.queued) return undefined;
          // A claim again keeps the segments first claimed.
          if (record !== undefined) return record.segments;
          this.runs.set(id, {
            segments,
            startedAt: now.toISOString(),
            scanned: 0,
            matched: 0,
            entered: 0,
            enrollItems: 0,
            skipped: noSkips(),
            queued: false,
            items: 0,
            itemsDone: 0,
            itemsCounted: new Set(),
            segmentItems: new Map(),
            done: new Set(),
            positions: new Map(),
          });
          return segments;
        },
        queued: async (run: RunKey) => {
          await wait();
          const record = this.run(run);
          record.queued = true;
        },
        segmentAt: async (run: RunKey, segment: number) => {
          await wait();
          const record = this.run(run);
          return {
            position: record.positions.get(segment) ?? 0,
            items: record.segmentItems.get(segment) ?? 0,
          };
        },
        counted: async () => {},
        // The model's profiles do not change during a run: every read of a page is the first.
        keepPage: async (_run: RunKey, _page: unknown, read: PageRead) => read,
        keptPage: async () => undefined,
        scanned: async (run: RunKey, progress: ScanProgress) => {
          await wait();
          const record = this.run(run);
          if ((record.positions.get(progress.segment) ?? 0) !== progress.page * 2) return undefined;
          record.positions.set(progress.segment, progress.page * 2 + 1);
          record.scanned += progress.scanned;
          record.matched += progress.matched;
          record.skipped = addSkips(record.skipped, progress.skipped);
          record.items += progress.enrollItems;
          record.enrollItems += progress.enrollItems;
          record.segmentItems.set(
            progress.segment,
            (record.segmentItems.get(progress.segment) ?? 0) + progress.enrollItems,
          );
          if (progress.last) record.done.add(progress.segment);
          return {};
        },
        continued: async (run: RunKey, segment: number, page: number) => {
          await wait();
          const record = this.run(run);
          if (record.positions.get(segment) === page * 2 + 1) record.positions.set(segment, page * 2 + 2);
        },
        enrolled: async (run: RunKey, item: { segment?: number; number?: number }, outcome: ItemOutcome) => {
          await wait();
          const record = this.run(run);
          const id = `${item.segment}#${item.number}`;
          if (record.itemsCounted.has(id)) return { wrote: false };
          record.itemsCounted.add(id);
          record.itemsDone += 1;
          record.entered += outcome.entered;
          record.skipped = addSkips(record.skipped, outcome.skipped);
          return { wrote: true };
        },
        itemsCounted: async () => true,
        // The model counts no entry as too large: its marks owe nothing.
        settleItem: async () => {},
        stopped: async (run: RunKey, work: SegmentWork) => {
          await wait();
          const record = this.run(run);
          if (work.kind === 'scan') record.done.add(work.segment);
          else if (!record.itemsCounted.has(`${work.segment}#${work.number}`)) {
            record.itemsCounted.add(`${work.segment}#${work.number}`);
            record.itemsDone += 1;
          }
        },
        complete: async (run: RunKey, now: Date, by: string) => {
          await wait();
          const record = this.run(run);
          const finished =
            record.queued && record.done.size >= record.segments && record.itemsDone >= record.items;
          if (!finished || record.announced) return undefined;
          // As the record's condition: only the message that completed the run announces it.
          record.completedBy ??= by;
          if (record.completedBy !== by) return undefined;
          record.completedAt ??= now.toISOString();
          return { ...record };
        },
        announced: async (run: RunKey) => {
          await wait();
          const record = this.run(run);
          if (record.announced) return false;
          record.announced = true;
          return true;
        },
      },
    };
  }

  private run(run: RunKey) {
    const record = this.runs.get(`${run.journeyId}|${run.runId}`);
    if (record === undefined) throw new Error(`no run record for ${run.journeyId} ${run.runId}`);
    return record;
  }
}
