import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import * as z from 'zod';
import { DEFAULT_RETENTION } from '../../../runtime/options.ts';
import { type HistoryEvent, HistoryRecorder, type HistorySnapshot } from './history.ts';

/**
 * Where execution histories live, and for how long:
 *
 * - a running execution's history is in memory (its recorder), at most
 *   25,000 events, as AWS allows;
 * - when it ends, the history is written once to
 *   `<dir>/<stop ms>-<hash of the ARN>.json` and dropped from memory;
 * - an ended history is kept as long as its execution's record
 *   ({@link ClosedRetention}: by default {@link HISTORY_RETENTION_DAYS} days of
 *   journey time after the execution closed, as AWS keeps closed executions,
 *   and only the newest {@link MAX_KEPT_HISTORIES}): a local runtime left on
 *   for months does not fill the disk. Pruned at start and after each write
 *   by the runtime; a reader (a CLI command over a stopped runtime) never prunes.
 *
 * - a parked execution's history (one waiting for days) is on disk,
 *   `<dir>/parked/<hash of the ARN>.json`, until it resumes: memory holds
 *   only the histories of executions at work.
 *
 * An execution whose history is gone (pruned, or the runtime stopped
 * abruptly while it ran) is answered from its record: started and ended.
 */
export const HISTORY_RETENTION_DAYS = DEFAULT_RETENTION.closedExecutionDays;
export const MAX_KEPT_HISTORIES = DEFAULT_RETENTION.closedExecutions;

/** How long closed executions (records and histories) are kept: the newest `newest`, closed within `days`. */
export type ClosedRetention = { days: number; newest: number };

const Stored = z.object({
  executionArn: z.string(),
  events: z.array(
    z.looseObject({ id: z.number(), previousEventId: z.number(), timestamp: z.number(), type: z.string() }),
  ),
});

const Parked = z.object({
  executionArn: z.string(),
  snapshot: z.object({
    events: Stored.shape.events,
    open: z.object({ name: z.string(), type: z.string() }).optional(),
    attempts: z.array(
      z.object({
        input: z.unknown(),
        startedAt: z.number(),
        submittedAt: z.number().optional(),
        submitted: z.unknown().optional(),
        endedAt: z.number().optional(),
        output: z.unknown().optional(),
        error: z.object({ name: z.string(), cause: z.string() }).optional(),
      }),
    ),
  }),
});

type States = StateMachineDefinition['States'];

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
    /** Absent for a reader: it keeps what it finds. */
    private readonly retention: ClosedRetention | undefined,
  ) {}

  static async open(dir: string, now: () => number, retention?: ClosedRetention): Promise<HistoryStore> {
    await mkdir(join(dir, 'parked'), { recursive: true });
    const store = new HistoryStore(dir, now, retention);
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

  /** Moves a parking execution's history to disk. */
  async park(executionArn: string): Promise<void> {
    const recorder = this.running.get(executionArn);
    if (recorder === undefined) return;
    this.running.delete(executionArn);
    await writeFile(
      this.parkedFile(executionArn),
      JSON.stringify({ executionArn, snapshot: recorder.snapshot() }),
    );
  }

  /** Brings a parked execution's history back to record what it does next (a fresh one if it is gone). */
  async unpark(executionArn: string, states: States, fresh: () => HistoryRecorder): Promise<HistoryRecorder> {
    const snapshot = await this.parked(executionArn);
    await rm(this.parkedFile(executionArn), { force: true });
    const recorder =
      snapshot === undefined ? fresh() : HistoryRecorder.restore(states, snapshot, { attempts: false });
    this.running.set(executionArn, recorder);
    return recorder;
  }

  /** Forgets the parked history of an execution that will not resume. */
  async discard(executionArn: string): Promise<void> {
    await rm(this.parkedFile(executionArn), { force: true });
  }

  /**
   * Removes the parked histories of executions not in `waiting` (the ARNs of
   * those still parked): what a run stopped abruptly between two writes left.
   */
  async keepParked(waiting: Iterable<string>): Promise<number> {
    const kept = new Set([...waiting].map((arn) => `${fileKey(arn)}.json`));
    let removed = 0;
    for (const name of await readdir(join(this.dir, 'parked'))) {
      if (kept.has(name)) continue;
      await rm(join(this.dir, 'parked', name), { force: true });
      removed += 1;
    }
    return removed;
  }

  private parkedFile(executionArn: string): string {
    return join(this.dir, 'parked', `${fileKey(executionArn)}.json`);
  }

  private async parked(executionArn: string): Promise<HistorySnapshot | undefined> {
    const text = await readFile(this.parkedFile(executionArn), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const stored = Parked.safeParse(parseJson(text));
    return stored.success && stored.data.executionArn === executionArn ? stored.data.snapshot : undefined;
  }

  /** Writes an ended execution's history and forgets its recorder. */
  async close(executionArn: string, stopMs: number): Promise<void> {
    const recorder = this.running.get(executionArn);
    if (recorder === undefined) return;
    const key = fileKey(executionArn);
    const name = `${String(Math.round(stopMs)).padStart(15, '0')}-${key}.json`;
    // Written aside and renamed, so a runtime killed mid-write leaves no torn history under the real name.
    const path = join(this.dir, name);
    await writeFile(`${path}.tmp`, JSON.stringify({ executionArn, events: recorder.events() }));
    await rename(`${path}.tmp`, path);
    this.running.delete(executionArn);
    this.files.delete(key);
    this.files.set(key, name);
    await this.prune();
  }

  /** The history of an execution, or undefined when none is kept; `states` name a parked Task's events. */
  async events(executionArn: string, states: States = {}): Promise<HistoryEvent[] | undefined> {
    const live = this.running.get(executionArn);
    if (live !== undefined) return live.events();
    const parked = await this.parked(executionArn);
    if (parked !== undefined) return HistoryRecorder.restore(states, parked, { attempts: true }).events();
    const name = this.files.get(fileKey(executionArn));
    if (name === undefined) return undefined;
    const text = await readFile(join(this.dir, name), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    // A file a killed runtime cut short reads as no history, as an absent one does.
    const stored = Stored.safeParse(parseJson(text));
    return stored.success && stored.data.executionArn === executionArn ? stored.data.events : undefined;
  }

  /** How many ended histories are kept on disk (for tests and figures). */
  get kept(): number {
    return this.files.size;
  }

  private async prune(): Promise<void> {
    const retention = this.retention;
    if (retention === undefined) return;
    const oldest = this.now() - retention.days * 86_400_000;
    // Map order is insertion order: files were read sorted and are added as executions end.
    for (const [key, name] of this.files) {
      const stoppedAt = Number(name.slice(0, name.indexOf('-')));
      if (this.files.size <= retention.newest && stoppedAt >= oldest) break;
      this.files.delete(key);
      await rm(join(this.dir, name), { force: true });
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
