import { join } from 'node:path';
import * as z from 'zod';
import { CappedLog, readLogLines, warnOnce } from './capped-log.ts';

/** A goal reached: the enrollment ingest counted a conversion for, at that journey time. */
export const Conversion = z.object({ at: z.string(), enrollmentId: z.string() });
export type Conversion = z.infer<typeof Conversion>;

/** The part of ingest's answer that names the enrollments its event converted. */
const IngestAnswer = z.object({ converted: z.array(z.string()) }).loose();

const CONVERSIONS_FILE = 'conversions.jsonl';

/**
 * Keeps the conversions ingest counted in `<dataDir>/conversions.jsonl`, the
 * newest `maxBytes` ({@link CappedLog}). A goal with `exit: false` leaves the
 * execution running to its end, and an enrollment item is removed once its
 * execution has ended and it converted: the execution's status cannot tell a
 * conversion, this log does.
 */
export class ConversionLog {
  private readonly log: CappedLog;
  private readonly writeFailed = warnOnce('conversion log', 'outcomes will miss goals');

  constructor(dataDir: string, maxBytes: number) {
    this.log = new CappedLog(join(dataDir, CONVERSIONS_FILE), maxBytes);
  }

  /** Records the conversions an ingest invocation answered with (nothing for any other answer). */
  recordFrom(answer: unknown, at: Date): void {
    for (const enrollmentId of IngestAnswer.safeParse(answer).data?.converted ?? []) {
      const conversion: Conversion = { at: at.toISOString(), enrollmentId };
      this.log.append(conversion).catch(this.writeFailed);
    }
  }

  flushed(): Promise<void> {
    return this.log.flushed();
  }
}

/** The conversions of a data directory, oldest first; an unreadable line is skipped. */
export async function readConversions(dataDir: string): Promise<Conversion[]> {
  return (await readLogLines(join(dataDir, CONVERSIONS_FILE))).flatMap((line) => {
    const parsed = Conversion.safeParse(parseJson(line));
    return parsed.success ? [parsed.data] : [];
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
