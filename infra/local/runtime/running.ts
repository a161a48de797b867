import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * A running local runtime says where it listens in its data folder, so a
 * command given only the folder (`journeys report --data-dir`) reads through
 * it instead of opening the database it holds open, whatever ports it took.
 */
const RUNNING_FILE = 'running.json';

/**
 * Where it listens, and the journeys folder it serves (commands that name
 * steps read the files from there). Everything but `dynamodb` is absent from
 * a file an earlier version wrote.
 */
const Running = z.object({
  pid: z.number().int(),
  dynamodb: z.string(),
  eventbridge: z.string().optional(),
  sfn: z.string().optional(),
  ses: z.string().optional(),
  pinpoint: z.string().optional(),
  journeysDir: z.string().optional(),
});
type Running = z.infer<typeof Running>;

/** Another runtime runs on the data folder: both would write the same files, and its database is open. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The data folder ${dataDir} is in use by the local runtime of process ${pid}. ` +
        'Stop that one (Ctrl-C where it runs), or give this one another folder with --data-dir <dir>.',
    );
    this.name = 'DataDirInUseError';
  }
}

/** Throws {@link DataDirInUseError} when a live runtime holds the folder (checked before anything opens or clears it). */
export function assertDataDirFree(dataDir: string): void {
  const holder = runningOn(dataDir);
  if (holder !== undefined) throw new DataDirInUseError(dataDir, holder.pid);
}

export async function markRunning(
  dataDir: string,
  endpoints: Omit<Running, 'pid'> & { eventbridge: string },
): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const running: Running = { pid: process.pid, ...endpoints };
  await writeFile(join(dataDir, RUNNING_FILE), `${JSON.stringify(running)}\n`);
}

export async function markStopped(dataDir: string): Promise<void> {
  await rm(join(dataDir, RUNNING_FILE), { force: true });
}

/** The endpoints of the runtime running on this folder, if one is (its process is alive). */
export function runningOn(dataDir: string): Running | undefined {
  let running: Running | undefined;
  try {
    running = Running.safeParse(JSON.parse(readFileSync(join(dataDir, RUNNING_FILE), 'utf8'))).data;
  } catch {
    return undefined;
  }
  if (running === undefined) return undefined;
  try {
    process.kill(running.pid, 0);
  } catch (error) {
    // EPERM: alive, another user's; ESRCH: the file outlived its runtime.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return running;
}
