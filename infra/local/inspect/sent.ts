import * as z from 'zod';
import type { Channel } from '#shared/channels.ts';
import { readArchiveLines } from '../services/eventbridge/archive.ts';
import { readOutbox } from '../services/pinpoint/outbox.ts';
import { storedEmails } from '../services/ses/store.ts';

/**
 * What the local runtime sent: emails as the SES v2 emulator keeps them
 * (subject, text, HTML), SMS and push from the Pinpoint outbox, and the
 * events journeys emitted onto the bus. Read by `journeys trace` (locally)
 * and the console. SES on AWS keeps no message content, so none of this
 * exists there.
 */

export type SentMessage = {
  channel: Channel;
  messageId: string;
  to: string;
  at?: string;
  subject?: string;
  text?: string;
  html?: string;
};

export type EmittedEvent = { at: string; source: string; detailType: string; detail: unknown };

async function emails(sesEndpoint: string | undefined, dataDir: string): Promise<SentMessage[]> {
  if (sesEndpoint === undefined) return [];
  return (await storedEmails(sesEndpoint, dataDir)).map((e) => ({
    channel: 'email',
    messageId: e.messageId,
    to: e.destination?.to.join(', ') ?? '',
    ...(e.subject === undefined ? {} : { subject: e.subject }),
    ...(e.body?.text === undefined ? {} : { text: e.body.text }),
    ...(e.body?.html === undefined ? {} : { html: e.body.html }),
  }));
}

/** Every message sent locally, emails first (the emulator keeps no send time), then SMS and push in order. */
export async function readSentMessages(dataDir: string, sesEndpoint?: string): Promise<SentMessage[]> {
  const outbox = (await readOutbox(dataDir)).map(
    (m): SentMessage => ({
      channel: m.channel,
      messageId: m.messageId,
      to: m.to,
      at: m.at,
      ...(m.title === undefined ? {} : { subject: m.title }),
      text: m.body,
    }),
  );
  return [...(await emails(sesEndpoint, dataDir)), ...outbox];
}

const Archived = z.object({
  event: z.object({ time: z.string(), source: z.string(), 'detail-type': z.string(), detail: z.unknown() }),
});

/** Events journeys emitted (emit steps put them with their own source), oldest first. */
export async function readEmittedEvents(dataDir: string, customerSource: string): Promise<EmittedEvent[]> {
  const out: EmittedEvent[] = [];
  for (const line of await readArchiveLines(dataDir)) {
    const parsed = Archived.safeParse(JSON.parse(line));
    if (!parsed.success) continue;
    const { event } = parsed.data;
    // Customer events come from the apps; status and delivery events from AWS services.
    if (event.source === customerSource || event.source.startsWith('aws.')) continue;
    out.push({
      at: event.time,
      source: event.source,
      detailType: event['detail-type'],
      detail: event.detail,
    });
  }
  return out;
}
