import { matchesCall } from './webhook-match.ts';
import type { WebhookExpectation } from './webhook-schema.ts';
import type { WebhookCall } from './webhook-stand-in.ts';

/** The longest part of a request body a failed expectation prints. */
const BODY_CHARS = 200;

/** Checks that calls like the one described were made: exactly `times`, or at least once. */
export function checkWebhook(
  e: WebhookExpectation['webhook'],
  calls: readonly WebhookCall[],
): { ok: boolean; title: string; actual: string } {
  const onConnection = calls.filter((c) => c.connection === e.connection);
  const found = onConnection.filter((c) => matchesCall(e, c));
  const what = [e.method, e.path, e.body === undefined ? undefined : `with ${JSON.stringify(e.body)}`].filter(
    (part) => part !== undefined,
  );
  const count =
    e.times === undefined ? '' : e.times === 0 ? ' is never called' : ` is called ${times(e.times)}`;
  return {
    ok: e.times === undefined ? found.length > 0 : found.length === e.times,
    title: `webhook ${e.connection}${what.length === 0 ? '' : ` ${what.join(' ')}`}${count || ' is called'}`,
    actual:
      onConnection.length === 0
        ? `no call on ${e.connection}`
        : `${times(found.length)} like it; calls on ${e.connection}:\n${onConnection.map(describeCall).join('\n')}`,
  };
}

/** A failure listing the calls the stand-in refused (no scripted reply, no credential); undefined when none. */
export function refusedCalls(
  calls: readonly WebhookCall[],
): { ok: false; title: string; actual: string } | undefined {
  const refused = calls.filter((c) => c.refused);
  if (refused.length === 0) return undefined;
  return {
    ok: false,
    title: 'every webhook call gets a scripted reply',
    actual: refused.map(describeCall).join('\n'),
  };
}

function describeCall(call: WebhookCall): string {
  const body = call.body === undefined ? '' : ` ${JSON.stringify(call.body).slice(0, BODY_CHARS)}`;
  const ended = call.endedAt === call.at ? '' : ` at ${call.endedAt}`;
  return `${call.at} ${call.method} ${call.path}${body} → ${call.outcome}${ended}`;
}

const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
