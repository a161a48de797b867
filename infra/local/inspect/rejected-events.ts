import { join } from 'node:path';
import * as z from 'zod';
import { profileKeys } from '#shared/tables.ts';
import { readLogLines } from '../runtime/capped-log.ts';
import { LOCAL_NAMES } from '../runtime/env.ts';
import { queueFile } from '../services/sqs/sqs.ts';

/** What the local rejected queue keeps of a message, and the body ingest writes (rejected-message.ts). */
const Kept = z.object({ body: z.string() });
const Body = z.object({
  problems: z.array(z.object({ field: z.string(), message: z.string() })),
  moreProblems: z.number().optional(),
  partial: z.string().optional(),
  event: z.unknown(),
});

/** Reasons shown on a timeline line; the rest are counted. */
const SHOWN_PROBLEMS = 3;

/** An id as ingest reads it: an integer as its string, without the spaces around it; undefined when none. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const id = value.trim();
  return id === '' ? undefined : id;
}

/**
 * The customer an event is for, as ingest keys it (and as enrollments carry
 * it): the userId, else the anonymous visitor's key; undefined for an event
 * of neither (a delivery receipt).
 */
export function customerKeyOf(detail: { userId?: unknown; anonymousId?: unknown }): string | undefined {
  const userId = idText(detail.userId);
  if (userId !== undefined) return profileKeys.known(userId);
  const anonymousId = idText(detail.anonymousId);
  return anonymousId === undefined ? undefined : profileKeys.anonymous(anonymousId);
}

/**
 * What ties a rejected-queue message to the event on the bus: the kind and
 * ids of the event, which a message keeps even when the event itself was too
 * large for it (and which ingest's reading of an applied event leaves alike).
 */
function identityKey(event: unknown): string {
  const field = (key: string) =>
    typeof event === 'object' && event !== null ? Reflect.get(event, key) : undefined;
  const type = field('type');
  const ids = ['userId', 'anonymousId', 'previousId', 'messageId'].map((key) => idText(field(key)) ?? null);
  return JSON.stringify([typeof type === 'string' ? type : null, ...ids]);
}

/**
 * Says, for each event on the bus in order, what ingest turned away from it:
 * `rejected: …` (the event was not applied) or `left out: …` (traits the
 * profile did not take), with the reasons; undefined for an event applied whole.
 * Messages pair with events of the same identity in the order both were written.
 */
export async function rejectionReader(dataDir: string): Promise<(detail: unknown) => string | undefined> {
  const pending = new Map<string, string[]>();
  const file = queueFile(join(dataDir, 'queues'), LOCAL_NAMES.rejectedQueue);
  for (const line of await readLogLines(file)) {
    const kept = Kept.safeParse(parseJson(line)).data;
    const body = Body.safeParse(parseJson(kept?.body ?? '')).data;
    if (body === undefined) continue;
    const key = identityKey(body.event);
    pending.set(key, [...(pending.get(key) ?? []), describe(body)]);
  }
  return (detail) => pending.get(identityKey(detail))?.shift();
}

function describe(body: z.infer<typeof Body>): string {
  const shown = body.problems.slice(0, SHOWN_PROBLEMS).map((p) => `${p.field} ${p.message}`);
  const more = body.problems.length - shown.length + (body.moreProblems ?? 0);
  const reasons = `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  return `${body.partial === undefined ? 'rejected' : 'left out'}: ${reasons}`;
}

/** A JSON text's value; undefined for text that is not JSON (a torn or foreign line). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
