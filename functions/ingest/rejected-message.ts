import type { EventProblem } from '#shared/events.ts';

/**
 * The body of a rejected-queue message, within what SQS takes (256 KB by
 * default). An event near EventBridge's own 256 KB limit plus its reasons
 * would not fit, and a refused SendMessage fails the whole event on every
 * retry (for a partly applied event, before the rest is applied). Past the
 * limit, or for an event nested too deep to write out (which would throw on
 * every retry), the message keeps the first reasons and the event's identity
 * instead of the event, and says so.
 */

const MAX_MESSAGE_BYTES = 250 * 1024;
const KEPT_PROBLEMS = 50;
const IDENTITY = ['type', 'event', 'userId', 'anonymousId', 'previousId', 'messageId', 'timestamp'] as const;

type Rejected = { rejectedAt: string; problems: EventProblem[]; partial?: string; event: unknown };

function bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The event's identifying fields, each cut to 1 KB. */
function identityOf(event: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  if (typeof event !== 'object' || event === null) return out;
  for (const key of IDENTITY) {
    const value: unknown = Reflect.get(event, key);
    if (typeof value === 'string') out[key] = value.slice(0, 1024);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

/** The message as JSON, or undefined when its event nests deeper than JSON.stringify recurses. */
function serialized(message: Rejected): string | undefined {
  try {
    return JSON.stringify(message);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

export function rejectedMessageBody(message: Rejected): string {
  const whole = serialized(message);
  if (whole !== undefined && bytes(whole) <= MAX_MESSAGE_BYTES) return whole;
  const problems = message.problems.slice(0, KEPT_PROBLEMS).map((p) => ({
    field: p.field.slice(0, 1024),
    message: p.message.slice(0, 1024),
  }));
  return JSON.stringify({
    ...message,
    problems,
    ...(message.problems.length > KEPT_PROBLEMS
      ? { moreProblems: message.problems.length - KEPT_PROBLEMS }
      : {}),
    event: identityOf(message.event),
    truncated:
      whole === undefined
        ? 'the event nests too deep to be written out: its identity is kept'
        : `the event and its reasons were ${bytes(whole)} bytes, more than a queue message holds: its identity is kept`,
  });
}
