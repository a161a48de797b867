import { appendFile, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';

/**
 * An append-only JSON-lines file that keeps only its newest records within a
 * byte budget, the way logrotate keeps one old file:
 *
 * - records are appended to `file`;
 * - when the next record would take `file` past half the budget, `file`
 *   becomes `file.1` (replacing the older half, which is dropped) and a fresh
 *   `file` starts.
 *
 * So the two files together never hold more than the budget (unless a single
 * record is larger than half of it: it is kept alone), the newest records are
 * always whole, and rotating costs one rename, never a rewrite. Readers take
 * `file.1` then `file` ({@link readLogLines}); a small log is one file, as before.
 *
 * The size is read from the file before each append rather than counted, so
 * two writers of one file (the runtime and a CLI command) stay within the budget.
 */
export class CappedLog {
  #writes: Promise<void> = Promise.resolve();
  /** Appends made while an earlier write is on its way: written together, once it is done. */
  #waiting: { lines: string[]; written: Promise<void> } | undefined;
  #tailChecked = false;

  constructor(
    readonly file: string,
    /** The most bytes the log keeps on disk. */
    readonly maxBytes: number,
  ) {
    if (!(maxBytes > 0))
      throw new Error(`a log's size limit must be a positive number of bytes, got ${maxBytes}`);
  }

  /**
   * Appends one record as a line; appends are written in the order they were
   * made. Those made while a write is on its way go to disk together after it
   * (one size check and one append for all, rotating where the next line would
   * pass the budget, as one at a time would).
   */
  append(record: unknown): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    if (this.#waiting === undefined) {
      const lines: string[] = [];
      const written = this.#writes.then(() => {
        this.#waiting = undefined;
        return this.#write(lines);
      });
      this.#waiting = { lines, written };
      this.#writes = written.catch(() => undefined);
    }
    this.#waiting.lines.push(line);
    return this.#waiting.written;
  }

  /** Resolves when every append made so far is on disk. */
  flushed(): Promise<void> {
    return this.#writes;
  }

  async #write(lines: readonly string[]): Promise<void> {
    if (!this.#tailChecked) {
      await trimTornTail(this.file);
      this.#tailChecked = true;
    }
    let size = (await stat(this.file).catch(() => undefined))?.size ?? 0;
    let chunk = '';
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > this.maxBytes / 2) {
        if (chunk !== '') await appendFile(this.file, chunk);
        await rename(this.file, olderPart(this.file));
        chunk = '';
        size = 0;
      }
      chunk += line;
      size += bytes;
    }
    await appendFile(this.file, chunk);
  }
}

/** Where a capped log keeps its older half. */
export function olderPart(file: string): string {
  return `${file}.1`;
}

/** The lines of a capped log, oldest first (blank lines left out); an absent log has none. */
export async function readLogLines(file: string): Promise<string[]> {
  const older = await readIfPresent(olderPart(file));
  const newer = await readIfPresent(file);
  return [...completeLines(older), ...completeLines(newer)];
}

/**
 * The lines of a JSON-lines text, blank ones left out. A last line without
 * its newline is kept only when it parses: otherwise it is a record being
 * appended right now, or one a crash (a killed process, a full disk) cut short.
 */
export function completeLines(text: string): string[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (last !== undefined && !text.endsWith('\n') && !isJson(last)) lines.pop();
  return lines;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends a JSON-lines file on a newline before the next append, so a record
 * never joins the line before it: a last record written whole but without
 * its newline gets one; one a crash left unfinished is cut off.
 */
export async function trimTornTail(file: string): Promise<void> {
  const handle = await open(file, 'r+').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (handle === undefined) return;
  try {
    const { size } = await handle.stat();
    // Back from the end a block at a time, to the last newline.
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      const newline = block.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) {
        end = start + newline + 1;
        break;
      }
      end = start;
    }
    if (end === size) return;
    const tail = Buffer.alloc(size - end);
    await handle.read(tail, 0, tail.length, end);
    if (isJson(tail.toString('utf8'))) await handle.write('\n', size);
    else await handle.truncate(end);
  } finally {
    await handle.close();
  }
}

/** Replaces a capped log's records (after a replay only the letters that failed again remain). */
export async function replaceLog(file: string, records: readonly unknown[]): Promise<void> {
  await rm(olderPart(file), { force: true });
  await writeFile(file, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
}

async function readIfPresent(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * What to do with a failed append nobody awaits (a full disk, a data folder
 * removed): the first failure is reported as a process warning, saying what
 * the `log` is missing, and none is left unhandled.
 */
export function warnOnce(log: string, consequence: string): (error: unknown) => void {
  let warned = false;
  return (error) => {
    if (warned) return;
    warned = true;
    const reason = error instanceof Error ? error.message : String(error);
    process.emitWarning(`the ${log} could not be written (${reason}): ${consequence}`);
  };
}
