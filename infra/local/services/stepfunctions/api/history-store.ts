import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { HistoryEvent, HistoryRecorder } from './history.ts';

/**
 * Where execution histories live, and for how long:
 *
 * - a running execution's history is in memory (its recorder), at most
 *   25,000 events, as AWS allows;
 * - when it ends, the history is written once to
 *   `<dir>/<stop ms>-<hash of the ARN>.json` and dropped from memory;
 * - an ended history is kept {@link HISTORY_RETENTION_DAYS} days of journey
 *   time after the execution closed (AWS keeps closed executions 90 days),
 *   and only the newest {@link MAX_KEPT_HISTORIES}: a local runtime left on
 *   for months does not fill the disk. Pruned at start and after each write.
 *
 * An execution whose history is gone (pruned, or the runtime stopped
 * abruptly while it ran) is answered from its record: started and ended.
 */
export const HISTORY_RETENTION_DAYS = 90;
export const MAX_KEPT_HISTORIES = 20_000;

const Stored = z.object({
  executionArn: z.string(),
  events: z.array(
    z.looseObject({ id: z.number(), previousEventId: z.number(), timestamp: z.number(), type: z.string() }),
  ),
});

function fileKey(executionArn: string): string {
  return createHash('sha256').update(executionArn).digest('hex').slice(0, 32);
}

export class HistoryStore {
  private readonly running = new Map<string, HistoryRecorder>();
  /** Ended histories on disk: ARN hash → file name (names sort by stop time). */
  private readonly files = new Map<string, string>();

  private constructor(
    private readonly dir: string,
    /** Journey time, epoch ms. */
    private readonly now: () => number,
  ) {}

  static async open(dir: string, now: () => number): Promise<HistoryStore> {
    await mkdir(dir, { recursive: true });
    const store = new HistoryStore(dir, now);
    for (const name of (await readdir(dir)).sort()) {
      const key = /^\d+-([0-9a-f]{32})\.json$/.exec(name)?.[1];
      if (key !== undefined) store.files.set(key, name);
    }
    await store.prune();
    return store;
  }

  track(executionArn: string, recorder: HistoryRecorder): void {
    this.running.set(executionArn, recorder);
  }

  /** Writes an ended execution's history and forgets its recorder. */
  async close(executionArn: string, stopMs: number): Promise<void> {
    const recorder = this.running.get(executionArn);
    if (recorder === undefined) return;
    const key = fileKey(executionArn);
    const name = `${String(Math.round(stopMs)).padStart(15, '0')}-${key}.json`;
    await writeFile(join(this.dir, name), JSON.stringify({ executionArn, events: recorder.events() }));
    this.running.delete(executionArn);
    this.files.delete(key);
    this.files.set(key, name);
    await this.prune();
  }

  /** The history of an execution, or undefined when none is kept. */
  async events(executionArn: string): Promise<HistoryEvent[] | undefined> {
    const live = this.running.get(executionArn);
    if (live !== undefined) return live.events();
    const name = this.files.get(fileKey(executionArn));
    if (name === undefined) return undefined;
    const text = await readFile(join(this.dir, name), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const stored = Stored.safeParse(JSON.parse(text));
    return stored.success && stored.data.executionArn === executionArn ? stored.data.events : undefined;
  }

  /** How many ended histories are kept on disk (for tests and figures). */
  get kept(): number {
    return this.files.size;
  }

  private async prune(): Promise<void> {
    const oldest = this.now() - HISTORY_RETENTION_DAYS * 86_400_000;
    // Map order is insertion order: files were read sorted and are added as executions end.
    for (const [key, name] of this.files) {
      const stoppedAt = Number(name.slice(0, name.indexOf('-')));
      if (this.files.size <= MAX_KEPT_HISTORIES && stoppedAt >= oldest) break;
      this.files.delete(key);
      await rm(join(this.dir, name), { force: true });
    }
  }
}
