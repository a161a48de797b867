import { appendFile, readFile } from 'node:fs/promises';
import * as z from 'zod';

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
});
export type ExecutionRecord = z.infer<typeof ExecutionRecord>;

/**
 * Execution records, appended to a JSON-lines file at start and at end so
 * status survives a restart. An execution still running when the runtime
 * stopped cannot resume: it is read back as ABORTED.
 */
export class ExecutionLog {
  private constructor(
    private readonly file: string,
    readonly records: Map<string, ExecutionRecord>,
  ) {}

  static async open(file: string): Promise<ExecutionLog> {
    return new ExecutionLog(file, await readExecutions(file));
  }

  async write(record: ExecutionRecord): Promise<void> {
    this.records.set(record.executionArn, record);
    await appendFile(this.file, `${JSON.stringify(record)}\n`);
  }
}

/** Reads an execution log: the last record per execution wins; unfinished ones are ABORTED. */
export async function readExecutions(file: string): Promise<Map<string, ExecutionRecord>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const records = new Map<string, ExecutionRecord>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = ExecutionRecord.parse(JSON.parse(line));
    records.set(record.executionArn, record);
  }
  return records;
}

/** Marks executions the previous run left running: the interpreter cannot resume them. */
export function abandonRunning(records: Map<string, ExecutionRecord>, at: number): ExecutionRecord[] {
  const abandoned: ExecutionRecord[] = [];
  for (const record of records.values()) {
    if (record.status !== 'RUNNING') continue;
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
