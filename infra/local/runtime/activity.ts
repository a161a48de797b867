import { join } from 'node:path';
import * as z from 'zod';
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

const ACTIVITY_FILE = 'activity.jsonl';

/**
 * Appends task activity to `<dataDir>/activity.jsonl`, the raw material of
 * timelines and progress lines; the newest `maxBytes` are kept ({@link CappedLog}).
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

  flushed(): Promise<void> {
    return this.log.flushed();
  }
}

/** Reads the task activity of a data directory, oldest first. */
export async function readActivity(dataDir: string): Promise<Activity[]> {
  return (await readLogLines(join(dataDir, ACTIVITY_FILE))).map((line) => Activity.parse(JSON.parse(line)));
}
