import * as z from 'zod';
import { readSentEmails } from './sent-log.ts';

const StoredEmail = z.looseObject({
  messageId: z.string(),
  destination: z.looseObject({ to: z.array(z.string()).default([]) }).optional(),
  subject: z.string().optional(),
  body: z.looseObject({ text: z.string().optional(), html: z.string().optional() }).optional(),
});
export type StoredEmail = z.infer<typeof StoredEmail>;

const Store = z.object({ emails: z.array(StoredEmail) });

/**
 * The emails the SES v2 emulator holds (its `/store`), in the order sent. When
 * it cannot be reached or answers something else (a stopped runtime): those
 * `dataDir` keeps, which the runtime loads when it starts again; none without it.
 */
export async function storedEmails(sesEndpoint: string, dataDir?: string): Promise<StoredEmail[]> {
  const answer = await fetch(`${sesEndpoint}/store`)
    .then((r) => r.json())
    .catch(() => undefined);
  const held = Store.safeParse(answer).data?.emails;
  if (held !== undefined) return held;
  return dataDir === undefined ? [] : await readSentEmails(dataDir);
}
