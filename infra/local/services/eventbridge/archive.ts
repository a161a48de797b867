import { join } from 'node:path';
import { readLogLines } from '../../runtime/capped-log.ts';

/**
 * Every event put on the local buses, one `{ bus, event }` line each: a
 * capped log, the newest events within the runtime's `retention.logBytes`.
 */
export function archivePath(dataDir: string): string {
  return join(dataDir, 'events.jsonl');
}

/** The archived lines of a data directory, oldest first (each parsed by its reader). */
export function readArchiveLines(dataDir: string): Promise<string[]> {
  return readLogLines(archivePath(dataDir));
}
