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
 */
export class SentEmailLog {
  #lines: number;
  #writes: Promise<void> = Promise.resolve();
  #tailChecked = false;

  private constructor(
    readonly file: string,
    readonly max: number,
    lines: number,
  ) {
    this.#lines = lines;
  }

  /** Opens the log and reads the newest `max` emails it keeps, oldest first; an absent log has none. */
  static async open(file: string, max: number): Promise<{ log: SentEmailLog; emails: KeptEmail[] }> {
    const { lines, emails } = await readLog(file);
    const kept = emails.slice(-max);
    const log = new SentEmailLog(file, max, lines.length);
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
    this.#lines += emails.length;
    // Taken now, in order with the appends queued before: the rewrite holds them all.
    const kept = this.#lines > 2 * this.max ? newest().slice(-this.max) : undefined;
    if (kept !== undefined) this.#lines = kept.length;
    const text = emails.map((email) => `${JSON.stringify(email)}\n`).join('');
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
    await writeFile(tmp, emails.map((email) => `${JSON.stringify(email)}\n`).join(''));
    await rename(tmp, this.file);
  }
}

/** The emails a data directory keeps, oldest first (a stopped runtime's, for `journeys sent` and traces). */
export async function readSentEmails(dataDir: string): Promise<KeptEmail[]> {
  return (await readLog(sentEmailsPath(dataDir))).emails;
}

async function readLog(file: string): Promise<{ lines: string[]; emails: KeptEmail[] }> {
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
  return { lines, emails };
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
