import { join } from 'node:path';
import * as z from 'zod';
import { CHANNELS } from '#shared/channels.ts';
import { NOT_ENTERED_REASONS } from '#shared/ingest/entry-skip.ts';
import { ENTRY_SKIP_REASONS } from '#shared/journey/entry/entries.ts';
import { CappedLog, readLogLines, warnOnce } from './capped-log.ts';

/** One Task call of a journey execution: what went in and what came out. */
export const Activity = z.object({
  at: z.string(),
  journeyId: z.string().optional(),
  execution: z.string(),
  state: z.string(),
  resource: z.string(),
  input: z.unknown(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  /** What the error means, when the runtime can tell (the reason for a deferral). */
  detail: z.string().optional(),
});
export type Activity = z.infer<typeof Activity>;

/** An entry ingest or a segment run skipped (their answers' `skipped`), at that journey time. */
export const EntrySkipped = z.object({
  at: z.string(),
  entrySkipped: z.object({
    userId: z.string(),
    journeyId: z.string(),
    version: z.string(),
    reason: z.enum([...ENTRY_SKIP_REASONS, ...NOT_ENTERED_REASONS]),
    detail: z
      .object({
        paths: z.array(z.string()).optional(),
        problem: z.string().optional(),
        maxAge: z.string().optional(),
        max: z.number().optional(),
        per: z.string().optional(),
        cooldown: z.string().optional(),
        maxBytes: z.number().optional(),
        startAt: z.string().optional(),
        endAt: z.string().optional(),
      })
      .optional(),
  }),
});
export type EntrySkipped = z.infer<typeof EntrySkipped>;

/** An opt-in ingest left out as older than the last opt-out (its answer's `refusedOptIns`), at that journey time. */
export const OptInRefused = z.object({
  at: z.string(),
  optInRefused: z.object({
    userId: z.string(),
    channel: z.enum(CHANNELS),
    topic: z.string().optional(),
    optInAt: z.string(),
    optedOutAt: z.string().optional(),
  }),
});
export type OptInRefused = z.infer<typeof OptInRefused>;

/**
 * The parts of ingest's (or segment entry's) answer that name the entries it
 * skipped and the opt-ins it left out.
 */
const IngestAnswer = z
  .object({ skipped: z.array(z.unknown()), refusedOptIns: z.array(z.unknown()).optional() })
  .loose();

const ACTIVITY_FILE = 'activity.jsonl';

/**
 * Appends task activity to `<dataDir>/activity.jsonl`, the raw material of
 * timelines and progress lines, with the entries ingest skipped and why; the
 * newest `maxBytes` are kept ({@link CappedLog}).
 */
export class ActivityLog {
  private readonly listeners: ((activity: Activity) => void)[] = [];
  private readonly log: CappedLog;
  private readonly writeFailed = warnOnce('activity log', 'timelines will miss steps');

  constructor(dataDir: string, maxBytes: number) {
    this.log = new CappedLog(join(dataDir, ACTIVITY_FILE), maxBytes);
  }

  onActivity(listener: (activity: Activity) => void): void {
    this.listeners.push(listener);
  }

  record(activity: Activity): void {
    for (const listener of this.listeners) listener(activity);
    this.log.append(activity).catch(this.writeFailed);
  }

  /** Records the entries an ingest or segment entry invocation answered it skipped, and the opt-ins it left out. */
  recordSkipsFrom(answer: unknown, at: Date): void {
    const parsed = IngestAnswer.safeParse(answer).data;
    for (const skip of parsed?.skipped ?? []) {
      const line = EntrySkipped.safeParse({ at: at.toISOString(), entrySkipped: skip });
      if (line.success) this.log.append(line.data).catch(this.writeFailed);
    }
    for (const refused of parsed?.refusedOptIns ?? []) {
      const line = OptInRefused.safeParse({ at: at.toISOString(), optInRefused: refused });
      if (line.success) this.log.append(line.data).catch(this.writeFailed);
    }
  }

  flushed(): Promise<void> {
    return this.log.flushed();
  }
}

type ActivityLines = { tasks: Activity[]; skips: EntrySkipped[]; refusedOptIns: OptInRefused[] };

/** Reads the activity log of a data directory, oldest first: task calls, entries ingest skipped, opt-ins it left out. */
export async function readActivityLog(dataDir: string): Promise<ActivityLines> {
  const lines: ActivityLines = { tasks: [], skips: [], refusedOptIns: [] };
  for (const line of await readLogLines(join(dataDir, ACTIVITY_FILE))) {
    const value: unknown = JSON.parse(line);
    const skip = EntrySkipped.safeParse(value);
    const refused = skip.success ? undefined : OptInRefused.safeParse(value).data;
    if (skip.success) lines.skips.push(skip.data);
    else if (refused !== undefined) lines.refusedOptIns.push(refused);
    else lines.tasks.push(Activity.parse(value));
  }
  return lines;
}

/** Reads the task activity of a data directory, oldest first. */
export async function readActivity(dataDir: string): Promise<Activity[]> {
  return (await readActivityLog(dataDir)).tasks;
}

/** The entries ingest skipped, oldest first (the newest the log keeps). */
export async function readEntrySkips(dataDir: string): Promise<EntrySkipped[]> {
  return (await readActivityLog(dataDir)).skips;
}
