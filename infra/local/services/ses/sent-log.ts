import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { completeLines, trimTornTail } from '../../runtime/capped-log.ts';

const Address = z.array(z.string()).default([]);

/** An email as the emulator keeps it in its store (its `Email`), read back as the viewer needs it. */
const KeptEmail = z.looseObject({
  messageId: z.string(),
  from: z.string().default(''),
  replyTo: Address,
  destination: z.looseObject({ to: Address, cc: Address, bcc: Address }).default({ to: [], cc: [], bcc: [] }),
  subject: z.string().default(''),
  body: z.looseObject({ html: z.string().optional(), text: z.string().optional() }).default({}),
  attachments: z
    .array(
      z.looseObject({
        content: z.string(),
        contentType: z.string(),
        filename: z.string().optional(),
        size: z.number(),
      }),
    )
    .default([]),
  headers: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
  at: z.number().default(0),
});
export type KeptEmail = z.infer<typeof KeptEmail>;

const SENT_FILE = 'emails.jsonl';

/** Where a data directory keeps the emails the SES emulator accepted. */
export function sentEmailsPath(dataDir: string): string {
  return join(dataDir, SENT_FILE);
}

/**
 * The emails the SES emulator accepted, one JSON line each, so a restarted
 * runtime shows them again (the viewer, `journeys sent`, traces, the console).
 *
 * Bounded by a count, as the execution log is: the newest `max` are kept
 * (`retention.sentEmails`, the cap of the emulator's store), and the file is
 * rewritten with just those whenever it has grown past twice that — a
 * rewrite of `max` lines per `max` appended, so a line's write per email.
 * And by bytes, as the other logs are (`retention.logBytes`): past `maxBytes`
 * the file is rewritten with the newest emails that fill at most half of it,
 * so it never holds more than `maxBytes` (an email larger than half is kept alone).
 */
export class SentEmailLog {
  #lines: number;
  #bytes: number;
  #writes: Promise<void> = Promise.resolve();
  #tailChecked = false;

  private constructor(
    readonly file: string,
    readonly max: number,
    readonly maxBytes: number,
    lines: number,
    bytes: number,
  ) {
    this.#lines = lines;
    this.#bytes = bytes;
  }

  /** Opens the log and reads the newest `max` emails it keeps (within `maxBytes`), oldest first; an absent log has none. */
  static async open(
    file: string,
    max: number,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<{ log: SentEmailLog; emails: KeptEmail[] }> {
    const { lines, emails, bytes } = await readLog(file);
    const kept = newestWithin(emails.slice(-max), maxBytes);
    const log = new SentEmailLog(file, max, maxBytes, lines.length, bytes);
    if (lines.length > kept.length) await log.#queue(() => log.#rewrite(kept));
    return { log, emails: kept };
  }

  /**
   * Appends emails just accepted, in order. `newest` gives the emails held
   * now, oldest first: when the file has grown past twice the cap it is
   * rewritten with the newest `max` of them.
   */
  append(emails: readonly KeptEmail[], newest: () => readonly KeptEmail[]): Promise<void> {
    if (emails.length === 0) return this.#writes;
    const text = emails.map((email) => `${JSON.stringify(email)}\n`).join('');
    this.#lines += emails.length;
    this.#bytes += Buffer.byteLength(text);
    // Taken now, in order with the appends queued before: the rewrite holds them all.
    const kept =
      this.#lines > 2 * this.max || this.#bytes > this.maxBytes
        ? newestWithin(newest().slice(-this.max), this.maxBytes / 2)
        : undefined;
    if (kept !== undefined) this.#lines = kept.length;
    return this.#queue(async () => {
      if (!this.#tailChecked) {
        await trimTornTail(this.file);
        this.#tailChecked = true;
      }
      await appendFile(this.file, text);
      if (kept !== undefined) await this.#rewrite(kept);
    });
  }

  /** Forgets every email (the emulator's `/clear-store`). */
  clear(): Promise<void> {
    this.#lines = 0;
    this.#bytes = 0;
    return this.#queue(() => writeFile(this.file, ''));
  }

  /** Resolves when every write made so far is on disk. */
  flushed(): Promise<void> {
    return this.#writes;
  }

  /** File writes one after the other: a rewrite never races an append. */
  #queue(work: () => Promise<void>): Promise<void> {
    const next = this.#writes.then(work);
    this.#writes = next.catch(() => undefined);
    return next;
  }

  async #rewrite(emails: readonly KeptEmail[]): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const text = emails.map((email) => `${JSON.stringify(email)}\n`).join('');
    this.#bytes = Buffer.byteLength(text);
    await writeFile(tmp, text);
    await rename(tmp, this.file);
  }
}

/** The newest emails whose lines fit in `maxBytes` together (at least the newest one), oldest first. */
function newestWithin(emails: readonly KeptEmail[], maxBytes: number): KeptEmail[] {
  let bytes = 0;
  let first = emails.length;
  while (first > 0) {
    const line = Buffer.byteLength(`${JSON.stringify(emails[first - 1])}\n`);
    if (bytes + line > maxBytes && first < emails.length) break;
    bytes += line;
    first -= 1;
  }
  return emails.slice(first);
}

/** The emails a data directory keeps, oldest first (a stopped runtime's, for `journeys sent` and traces). */
export async function readSentEmails(dataDir: string): Promise<KeptEmail[]> {
  return (await readLog(sentEmailsPath(dataDir))).emails;
}

async function readLog(file: string): Promise<{ lines: string[]; emails: KeptEmail[]; bytes: number }> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const lines = completeLines(text);
  // A line that is not an email (edited by hand, cut short) is left out rather than refusing to start.
  const emails = lines.flatMap((line) => {
    const email = KeptEmail.safeParse(parseJson(line));
    return email.success ? [email.data] : [];
  });
  return { lines, emails, bytes: Buffer.byteLength(text) };
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
