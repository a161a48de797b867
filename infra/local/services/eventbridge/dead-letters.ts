import { join } from 'node:path';
import * as z from 'zod';
import { readLogLines, replaceLog } from '../../runtime/capped-log.ts';

/**
 * The bus's dead-letter file in the data directory (a target's DLQ in AWS),
 * a capped log: the newest letters within the runtime's `retention.logBytes`.
 */
export const DEAD_LETTERS_FILE = 'dead-letters.jsonl';

/** An event a target failed on every attempt, with the last error. */
export const DeadLetter = z.object({
  target: z.string(),
  error: z.string(),
  failedAt: z.string(),
  attempts: z.number().optional(),
  event: z
    .object({
      id: z.string(),
      'detail-type': z.string(),
      source: z.string(),
      time: z.string(),
      detail: z.unknown(),
    })
    .loose(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export function deadLettersPath(dataDir: string): string {
  return join(dataDir, DEAD_LETTERS_FILE);
}

/** The dead-lettered events, oldest first; a line that does not parse is skipped and counted. */
export async function readDeadLetters(file: string): Promise<{ letters: DeadLetter[]; unreadable: number }> {
  const letters: DeadLetter[] = [];
  let unreadable = 0;
  for (const line of await readLogLines(file)) {
    const parsed = DeadLetter.safeParse(parseJson(line));
    if (parsed.success) letters.push(parsed.data);
    else unreadable += 1;
  }
  return { letters, unreadable };
}

/** Replaces the file's content: after a replay only the events that failed again remain. */
export async function writeDeadLetters(file: string, letters: readonly DeadLetter[]): Promise<void> {
  await replaceLog(file, letters);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
