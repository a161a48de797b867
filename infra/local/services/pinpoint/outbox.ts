import { join } from 'node:path';
import * as z from 'zod';
import { readLogLines } from '../../runtime/capped-log.ts';
import { terminalLine } from '../../runtime/terminal-text.ts';

/** One SMS or push message the local Pinpoint endpoint accepted. */
export const OutboxEntry = z.object({
  at: z.string(),
  messageId: z.string(),
  applicationId: z.string(),
  channel: z.enum(['sms', 'push']),
  channelType: z.string().describe('The Pinpoint ChannelType: SMS, GCM, APNS, ...'),
  to: z.string().describe('The phone number or device token.'),
  title: z.string().optional(),
  body: z.string(),
  url: z.string().optional(),
  messageType: z.string().optional(),
  originationNumber: z.string().optional(),
  context: z.record(z.string(), z.string()).optional(),
  traceId: z.string().optional(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

const OUTBOX_FILE = 'outbox.jsonl';

/**
 * The line the local runtime prints for a message as it is sent: one line,
 * whatever the customer's data holds (a line break, a carriage return, an
 * escape sequence is printed escaped).
 */
export function outboxLine(entry: Pick<OutboxEntry, 'channel' | 'to' | 'title' | 'body'>): string {
  const text = `${entry.title === undefined ? '' : `${entry.title} — `}${entry.body}`;
  return `  → ${entry.channel} to ${terminalLine(entry.to)}: ${terminalLine(text)}`;
}

/** The outbox file of a data directory: a capped log, the newest entries within `retention.logBytes`. */
export function outboxPath(dataDir: string): string {
  return join(dataDir, OUTBOX_FILE);
}

/** Reads the SMS and push messages sent locally, oldest first; an absent outbox is empty. */
export async function readOutbox(dataDir: string): Promise<OutboxEntry[]> {
  return (await readLogLines(outboxPath(dataDir))).map((line) => OutboxEntry.parse(JSON.parse(line)));
}
