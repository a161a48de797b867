import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';

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

/** Appends task activity to `<dataDir>/activity.jsonl`, the raw material of timelines and progress lines. */
export class ActivityLog {
  private readonly listeners: ((activity: Activity) => void)[] = [];
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  onActivity(listener: (activity: Activity) => void): void {
    this.listeners.push(listener);
  }

  record(activity: Activity): void {
    for (const listener of this.listeners) listener(activity);
    // Writes are chained so lines never interleave.
    this.writes = this.writes.then(() =>
      appendFile(join(this.dataDir, ACTIVITY_FILE), `${JSON.stringify(activity)}\n`),
    );
  }

  flushed(): Promise<void> {
    return this.writes;
  }
}

/** Reads the task activity of a data directory, oldest first. */
export async function readActivity(dataDir: string): Promise<Activity[]> {
  const text = await readFile(join(dataDir, ACTIVITY_FILE), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => Activity.parse(JSON.parse(line)));
}
