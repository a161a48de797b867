import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import * as z from 'zod';
import { completeLines, trimTornTail } from '../../../runtime/capped-log.ts';
import { type ClosedRetention, HISTORY_RETENTION_DAYS, MAX_KEPT_HISTORIES } from './history-store.ts';

const ParkedAttempt = z.object({
  input: z.unknown(),
  startedAt: z.number(),
  submittedAt: z.number().optional(),
  submitted: z.unknown().optional(),
});

/** A waiting execution's continuation (runner `Continuation`), with the revision of the definition it runs. */
export const ParkedExecution = z.object({
  state: z.string(),
  input: z.string(),
  visited: z.array(z.string()),
  retries: z.number(),
  /** The EnteredTime of the state it waits in, so the resumed entry keeps it (a restart too). */
  entries: z
    .object({
      current: z.string().optional(),
      at: z.number(),
      counts: z.array(z.tuple([z.string(), z.number()])),
    })
    .optional(),
  wait: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('wait'), until: z.number() }),
    z.object({
      kind: z.literal('token'),
      token: z.string(),
      timeoutAt: z.number().optional(),
      attempt: ParkedAttempt,
    }),
  ]),
  revision: z.number(),
});
export type ParkedExecution = z.infer<typeof ParkedExecution>;

export const ExecutionRecord = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  machine: z.string(),
  name: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT']),
  input: z.string(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  startDate: z.number(),
  stopDate: z.number().optional(),
  version: z.number().optional(),
  alias: z.string().optional(),
  stateMachineVersionArn: z.string().optional(),
  stateMachineAliasArn: z.string().optional(),
  visited: z.array(z.string()).default([]),
  transitions: z.number().default(0),
  /** Set while a running execution waits parked: what it needs to resume, even after a restart. */
  parked: ParkedExecution.optional(),
});
export type ExecutionRecord = z.infer<typeof ExecutionRecord>;

/**
 * The record with its fields in one order, each written out. A record
 * built by spreading another (`{ ...record, status }`) gets a property
 * dictionary of its own, about twice the heap of one built field by field,
 * and a waiting execution's record is held for as long as it waits.
 */
export function executionRecord(r: ExecutionRecord): ExecutionRecord {
  return {
    executionArn: r.executionArn,
    stateMachineArn: r.stateMachineArn,
    machine: r.machine,
    name: r.name,
    status: r.status,
    input: r.input,
    output: r.output,
    error: r.error,
    cause: r.cause,
    startDate: r.startDate,
    stopDate: r.stopDate,
    version: r.version,
    alias: r.alias,
    stateMachineVersionArn: r.stateMachineVersionArn,
    stateMachineAliasArn: r.stateMachineAliasArn,
    visited: r.visited,
    transitions: r.transitions,
    parked: r.parked === undefined ? undefined : parkedExecution(r.parked),
  };
}

/** A waiting execution's continuation with its fields written out (see {@link executionRecord}). */
function parkedExecution(p: ParkedExecution): ParkedExecution {
  const entries = p.entries;
  return {
    state: p.state,
    input: p.input,
    visited: p.visited,
    retries: p.retries,
    entries:
      entries === undefined
        ? undefined
        : { current: entries.current, at: entries.at, counts: entries.counts },
    wait: p.wait,
    revision: p.revision,
  };
}

/**
 * Closed executions are kept as long as their histories; by default
 * {@link HISTORY_RETENTION_DAYS} days of journey time after they closed, and
 * only the newest {@link MAX_KEPT_HISTORIES} (the `retention` option).
 */
export const EXECUTION_RETENTION: ClosedRetention = {
  days: HISTORY_RETENTION_DAYS,
  newest: MAX_KEPT_HISTORIES,
};

/**
 * Lines appended since the last rewrite before the file is rewritten with one
 * line per record kept: this many, or as many as that rewrite kept if more
 * (each rewrite then costs a line's write per line appended, whatever the size).
 */
const SLACK_LINES = 1_000;

/**
 * Execution records, appended to a JSON-lines file at start, when an
 * execution parks and at end, so status survives a restart. A parked
 * execution resumes after a restart; one that was at work when the runtime
 * stopped cannot: it is read back as ABORTED.
 *
 * Bounded: the runtime that owns the log (`retain`) drops closed executions
 * past its retention rule and rewrites the file with one line per
 * record kept whenever it has grown by more than that many lines again.
 * Readers (CLI commands) never rewrite it.
 */
export class ExecutionLog {
  #lines: number;
  /** Lines the file held after its last rewrite (or when opened). */
  #rewritten: number;
  #writes: Promise<void> = Promise.resolve();
  #retention: { now: () => number; rule: ClosedRetention } | undefined;
  #tailChecked = false;

  private constructor(
    private readonly file: string,
    readonly records: Map<string, ExecutionRecord>,
    lines: number,
  ) {
    this.#lines = lines;
    this.#rewritten = lines;
  }

  static async open(file: string): Promise<ExecutionLog> {
    const { records, lines } = await readLog(file);
    return new ExecutionLog(file, records, lines);
  }

  /** Applies the retention rule from now on, on `now` (journey time, epoch ms); compacts the file at once. */
  async retain(now: () => number, rule: ClosedRetention = EXECUTION_RETENTION): Promise<void> {
    this.#retention = { now, rule };
    await this.#queue(() => this.#compact());
  }

  async write(record: ExecutionRecord): Promise<void> {
    this.records.set(record.executionArn, record);
    this.#lines += 1;
    // Counted in lines appended, not against the records held: an execution that never parks writes two
    // lines and adds a record, so lines never outgrew twice the records and closed ones were never dropped.
    const compact =
      this.#retention !== undefined && this.#lines - this.#rewritten > Math.max(SLACK_LINES, this.#rewritten);
    await this.#queue(async () => {
      if (!this.#tailChecked) {
        await trimTornTail(this.file);
        this.#tailChecked = true;
      }
      await appendFile(this.file, `${JSON.stringify(record)}\n`);
      if (compact) await this.#compact();
    });
  }

  /** File writes one after the other: a rewrite never races an append. */
  #queue(work: () => Promise<void>): Promise<void> {
    const next = this.#writes.then(work);
    this.#writes = next.catch(() => undefined);
    return next;
  }

  async #compact(): Promise<void> {
    const retention = this.#retention;
    if (retention === undefined) return;
    for (const arn of expired(this.records.values(), retention.now(), retention.rule))
      this.records.delete(arn);
    const text = [...this.records.values()].map((record) => `${JSON.stringify(record)}\n`).join('');
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, this.file);
    this.#lines = this.records.size;
    this.#rewritten = this.#lines;
  }
}

/** Closed executions past the retention rule at `nowMs`. */
function expired(records: Iterable<ExecutionRecord>, nowMs: number, rule: ClosedRetention): string[] {
  const oldest = nowMs / 1000 - rule.days * 86_400;
  const closed = [...records]
    .filter((record) => record.status !== 'RUNNING')
    .sort((a, b) => (b.stopDate ?? b.startDate) - (a.stopDate ?? a.startDate));
  return closed
    .filter((record, rank) => rank >= rule.newest || (record.stopDate ?? record.startDate) < oldest)
    .map((record) => record.executionArn);
}

async function readLog(file: string): Promise<{ records: Map<string, ExecutionRecord>; lines: number }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const records = new Map<string, ExecutionRecord>();
  let lines = 0;
  // A record a crash cut short is left out: the execution's previous record stands.
  for (const line of completeLines(text)) {
    const record = ExecutionRecord.parse(JSON.parse(line));
    records.set(record.executionArn, record);
    lines += 1;
  }
  return { records, lines };
}

/** Reads an execution log: the last record per execution wins. */
export async function readExecutions(file: string): Promise<Map<string, ExecutionRecord>> {
  return (await readLog(file)).records;
}

/** Marks executions the previous run left at work (not parked): the interpreter cannot resume them. */
export function abandonRunning(records: Map<string, ExecutionRecord>, at: number): ExecutionRecord[] {
  const abandoned: ExecutionRecord[] = [];
  for (const record of records.values()) {
    if (record.status !== 'RUNNING' || record.parked !== undefined) continue;
    const stopped: ExecutionRecord = {
      ...record,
      status: 'ABORTED',
      stopDate: at,
      error: 'Local.RuntimeStopped',
      cause: 'The local runtime stopped while this execution was running.',
    };
    records.set(record.executionArn, stopped);
    abandoned.push(stopped);
  }
  return abandoned;
}
