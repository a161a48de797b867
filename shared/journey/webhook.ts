import * as z from 'zod';
import { ConditionPath } from '../conditions/schema.ts';
import { ContextName } from './journey-context.ts';

/**
 * The webhook step: one HTTPS call through a connection the stack manages
 * (an EventBridge connection holds the endpoint's credentials, so journey
 * files, logs and execution history never see a secret), its JSON response
 * fields copied into the journey context, and a branch on the status.
 */

/** A connection name: an identifier, so it is also a CloudFormation substitution key. */
export const CONNECTION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

/** Step Functions ends an HTTP Task's call after 60 seconds whatever the TimeoutSeconds. */
export const MAX_WEBHOOK_TIMEOUT_SECONDS = 60;
const DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 10;

/**
 * HTTP statuses called again after a backoff: those that say the endpoint
 * did not take the call (429 Too Many Requests, 503 Service Unavailable). A
 * 500, 502 or 504 may come after the endpoint (or the service behind its
 * gateway) acted on the call, as may a timeout: called again, it could act
 * twice, and a webhook is not assumed to be idempotent. Those go to
 * `onError` or the failure policy at once, with the status in `$.failure`.
 */
export const RETRYABLE_STATUSES = [429, 503] as const;

export const ConnectionName = z
  .string()
  .regex(CONNECTION_NAME, {
    message: 'must be an identifier: letters, digits and _ (48 at most), starting with a letter',
  })
  .describe('The name of a connection the stack defines (base URL and credentials).');

export const WEBHOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A key the compiler writes into a state's Parameters as it is (a webhook's
 * body or query field, an emitted event's property). Step Functions reads a
 * key ending in `.$` as "the value is a path or an intrinsic function": a
 * literal `"coupon.$": "$$.Execution.Input"` would send the whole execution
 * input, and `States.Format(…)` whatever it builds, past the checks on
 * `{ "from": … }`. Such a key is refused; `{ "from": … }` is how a value is copied.
 */
const NOT_A_PATH_KEY = /^(?![\s\S]*\.\$$)/;
export const ParameterKey = z.string().regex(NOT_A_PATH_KEY, {
  message:
    'must not end in ".$", which Step Functions reads as a path or function: copy a value with { "from": … }',
});

/** A value sent in the request: a literal, or copied from the trigger, the awaited event or the context. */
const RequestValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z
    .object({
      from: ConditionPath.describe(
        'trigger.*, event.* or context.* (profile values are not in the execution)',
      ),
    })
    .strict(),
]);

/** A field of the response body: `body.<field>` with identifier segments. */
const RESPONSE_PATH = /^body(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const ResponsePath = z
  .string()
  .regex(RESPONSE_PATH, { message: 'must be a path in the JSON response body, such as body.coupon.code' });

/** Header names a connection sets, or the HTTP Task sets itself: a journey never overrides them. */
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
/** A header value is one line: a line break would end it (and could add a header), a NUL is refused by HTTP clients; a tab is allowed. */
const HEADER_VALUE = /^(?:\t|\P{Cc})*$/u;

export const WebhookFields = {
  connection: ConnectionName,
  method: z.enum(WEBHOOK_METHODS).default('POST'),
  url: z.string().url().describe("The full URL called; it must start with the connection's base URL."),
  headers: z
    .record(
      z.string().regex(HEADER_NAME, { message: 'must be an HTTP header name' }),
      z
        .string()
        .max(1024)
        .regex(HEADER_VALUE, { message: 'must be one line without control characters (a tab is allowed)' }),
    )
    .optional()
    .describe('Literal request headers (credentials come from the connection, never from here).'),
  query: z.record(ParameterKey.min(1), RequestValue).optional().describe('Query string parameters.'),
  body: z
    .record(ParameterKey.min(1), RequestValue)
    .optional()
    .describe('A JSON request body: values or { "from": path } (trigger.*, event.*, context.*).'),
  response: z
    .record(ContextName, ResponsePath)
    .optional()
    .describe(
      'Context variable → response field (body.x.y): set from a 2xx response; a missing field or one of another type sets null.',
    ),
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(MAX_WEBHOOK_TIMEOUT_SECONDS)
    .default(DEFAULT_WEBHOOK_TIMEOUT_SECONDS)
    .describe('How long one call may take before it counts as failed (60 at most).'),
};

/** A connection as the stack and the local runtime define it: where calls go, and how they authenticate. */
export const ConnectionConfig = z
  .object({
    baseUrl: z.string().url().describe('Every webhook URL on this connection starts with it.'),
    auth: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('apiKey'),
        header: z.string().regex(HEADER_NAME),
        secretName: z.string().min(1),
      }),
      z.object({ type: z.literal('basic'), username: z.string().min(1), secretName: z.string().min(1) }),
    ]),
  })
  .strict();
export type ConnectionConfig = z.infer<typeof ConnectionConfig>;

/** True when `url` is under `base`: same origin, and its path continues the base path at a segment boundary. */
export function isUnderBase(url: string, base: string): boolean {
  if (!URL.canParse(url) || !URL.canParse(base)) return false;
  const u = new URL(url);
  const b = new URL(base);
  if (u.origin !== b.origin || u.username !== '' || u.password !== '') return false;
  const prefix = b.pathname.endsWith('/') ? b.pathname : `${b.pathname}/`;
  return u.pathname === b.pathname || u.pathname.startsWith(prefix);
}
