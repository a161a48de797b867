import { join } from 'node:path';
import * as z from 'zod';
import { unpinnedName } from '#functions/_lib/templates.ts';
import { stepOfState } from '#shared/journey/compile/context.ts';
import { type StepFailure, stepFailureOf } from '#shared/journey/ending.ts';
import { type EntrySkipped, readActivityLog } from '../runtime/activity.ts';
import { readConversions } from '../runtime/conversions.ts';
import { readOutbox } from '../services/pinpoint/outbox.ts';
import { storedEmails } from '../services/ses/store.ts';
import { type ExecutionRecord, readExecutions } from '../services/stepfunctions/api/executions.ts';

/** A message a journey sent, with its rendered text. */
export type SentMessage = {
  at: string;
  /** The provider's message id (SES, End User Messaging). */
  messageId: string;
  userId: string;
  journeyId: string;
  stepId: string;
  channel: string;
  template: string;
  text: string;
};

/** An enrollment as a scenario sees it. */
export type Enrollment = {
  userId: string;
  journeyId: string;
  status: ExecutionRecord['status'];
  cause?: string;
  /** It reached its goal: stopped by it, or (`exit: false`) going on or ended after it. */
  converted: boolean;
  /** Step ids entered, in order (helper states count as their step). */
  steps: string[];
  /** The step whose failure ended it, under the failure policy `exit`. */
  stepFailure?: StepFailure;
};

/** An entry an event of the customer did not make, and why. */
export type SkippedEntry = EntrySkipped['entrySkipped'] & { at: string };

/** What the local runtime did during a scenario. */
export type Observations = { messages: SentMessage[]; enrollments: Enrollment[]; skipped: SkippedEntry[] };

const SendInput = z
  .object({
    userId: z.string(),
    journeyId: z.string(),
    stepId: z.string(),
    channel: z.string(),
    template: z.string(),
  })
  .loose();
const Sent = z.object({ status: z.literal('sent'), messageId: z.string() }).loose();
const EnrollmentInput = z
  .object({ userId: z.string(), journeyId: z.string(), enrollmentId: z.string() })
  .loose();
/**
 * Reads the sends, enrollments and rendered messages of a data directory. A
 * message's channel and template are those its send task was given (the
 * template by the name it was pinned from): the journey version that sent it, not the file as it reads now (a scenario may
 * deploy an edited journey).
 */
export async function observe(dataDir: string, sesEndpoint: string): Promise<Observations> {
  const texts = await renderedTexts(dataDir, sesEndpoint);
  const messages: SentMessage[] = [];
  // A send answered again (a retried task, a visit that is not a new one) returns the message it sent:
  // the customer got it once.
  const seen = new Set<string>();
  const { tasks, skips } = await readActivityLog(dataDir);
  for (const activity of tasks) {
    const input = SendInput.safeParse(activity.input).data;
    const sent = Sent.safeParse(activity.output).data;
    if (input === undefined || sent === undefined || !activity.resource.endsWith('journeys-send-message'))
      continue;
    if (seen.has(sent.messageId)) continue;
    seen.add(sent.messageId);
    messages.push({
      at: activity.at,
      messageId: sent.messageId,
      userId: input.userId,
      journeyId: input.journeyId,
      stepId: input.stepId,
      channel: input.channel,
      template: unpinnedName(input.template),
      text: texts.get(sent.messageId) ?? '',
    });
  }
  const converted = new Set((await readConversions(dataDir)).map((c) => c.enrollmentId));
  const enrollments: Enrollment[] = [];
  for (const record of (await readExecutions(join(dataDir, 'stepfunctions', 'executions.jsonl'))).values()) {
    const input = EnrollmentInput.safeParse(parseJson(record.input)).data;
    if (input === undefined) continue;
    const stepFailure = stepFailureOf(record.output);
    enrollments.push({
      userId: input.userId,
      journeyId: input.journeyId,
      status: record.status,
      ...(record.cause === undefined ? {} : { cause: record.cause }),
      converted: converted.has(input.enrollmentId),
      steps: [...new Set(record.visited.flatMap((state) => stepOfState(state) ?? []))],
      ...(stepFailure === undefined ? {} : { stepFailure }),
    });
  }
  const skipped = skips.map((s) => ({ at: s.at, ...s.entrySkipped }));
  return { messages, enrollments, skipped };
}

async function renderedTexts(dataDir: string, sesEndpoint: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const m of await readOutbox(dataDir))
    texts.set(m.messageId, `${m.title === undefined ? '' : `${m.title}\n`}${m.body}`);
  for (const email of await storedEmails(sesEndpoint))
    texts.set(
      email.messageId,
      [email.subject, email.body?.text, email.body?.html].filter(Boolean).join('\n'),
    );
  return texts;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
