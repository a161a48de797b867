import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { readActivity } from './activity.ts';
import { readOutbox } from './outbox.ts';

const Archived = z.object({
  event: z.object({
    time: z.string(),
    'detail-type': z.string(),
    detail: z.object({ userId: z.string().optional(), event: z.string().optional() }).loose(),
  }),
});
const TaskInput = z.object({ userId: z.string(), journeyId: z.string(), stepId: z.string() }).loose();
const SendOutput = z
  .object({ status: z.string(), messageId: z.string().optional(), reason: z.string().optional() })
  .loose();
const SesStore = z.object({
  emails: z.array(
    z
      .object({
        messageId: z.string(),
        subject: z.string().optional(),
        body: z.object({ text: z.string().optional(), html: z.string().optional() }).loose().optional(),
      })
      .loose(),
  ),
});

export type TimelineLine = { at: string; text: string };

/**
 * A readable timeline per customer: events received, messages with their
 * rendered text (outbox and SES store), branch decisions, deferrals.
 */
export async function customerTimelines(
  dataDir: string,
  sesEndpoint?: string,
): Promise<Map<string, TimelineLine[]>> {
  const lines = new Map<string, TimelineLine[]>();
  const add = (user: string, at: string, text: string) =>
    lines.set(user, [...(lines.get(user) ?? []), { at, text }]);
  const archive = await readFile(join(dataDir, 'events.jsonl'), 'utf8').catch(() => '');
  for (const row of archive.split('\n').filter((l) => l.trim() !== '')) {
    const parsed = Archived.safeParse(JSON.parse(row));
    const user = parsed.data?.event.detail.userId;
    if (!parsed.success || user === undefined) continue;
    const { event } = parsed.data;
    add(user, event.time, `event  ${event.detail.event ?? event['detail-type']}`);
  }
  const texts = await renderedTexts(dataDir, sesEndpoint);
  for (const activity of await readActivity(dataDir)) {
    const input = TaskInput.safeParse(activity.input).data;
    if (input === undefined) continue;
    const where = `${input.journeyId}/${input.stepId}`;
    if (activity.error !== undefined) add(input.userId, activity.at, `error  ${where}: ${activity.error}`);
    else add(input.userId, activity.at, describeTask(where, activity.output, texts));
  }
  for (const list of lines.values()) list.sort((a, b) => a.at.localeCompare(b.at));
  return lines;
}

function describeTask(where: string, output: unknown, texts: Map<string, string>): string {
  const send = SendOutput.safeParse(output).data;
  if (send !== undefined) {
    const text = send.messageId === undefined ? undefined : texts.get(send.messageId);
    const detail = send.reason ?? text ?? '';
    return `${send.status.padEnd(6)} ${where}${detail === '' ? '' : ` — ${detail}`}`;
  }
  const match = z.object({ match: z.number() }).safeParse(output).data;
  if (match !== undefined)
    return `branch ${where} → ${match.match < 0 ? 'otherwise' : `branch ${match.match + 1}`}`;
  return `task   ${where}`;
}

async function renderedTexts(dataDir: string, sesEndpoint: string | undefined): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const m of await readOutbox(dataDir)) {
    texts.set(
      m.messageId,
      `${m.channel} to ${m.to}: ${m.title === undefined ? '' : `${m.title} — `}${m.body}`,
    );
  }
  if (sesEndpoint === undefined) return texts;
  const store = SesStore.safeParse(
    await fetch(`${sesEndpoint}/store`)
      .then((r) => r.json())
      .catch(() => undefined),
  );
  for (const email of store.data?.emails ?? []) {
    texts.set(
      email.messageId,
      `email "${email.subject ?? ''}": ${emailText(email.body).replace(/\s+/g, ' ').slice(0, 160)}`,
    );
  }
  return texts;
}

/** The emulator keeps SendEmail's content under `body`; an HTML-only message is shown without its tags. */
function emailText(body: { text?: string; html?: string } | undefined): string {
  if (body?.text !== undefined) return body.text;
  return (body?.html ?? '').replace(/<[^>]*>/g, ' ');
}
