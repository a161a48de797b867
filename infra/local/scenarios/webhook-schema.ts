import * as z from 'zod';
import { ConnectionName, WEBHOOK_METHODS } from '#shared/journey/webhook.ts';

/**
 * What the endpoints behind a scenario's webhook connections answer, and
 * what a scenario expects of the calls made to them. Each connection a
 * journey of the scenario uses is served by a loopback stand-in for the run.
 */

/** A delay in journey time (a call otherwise takes none): `30s`, `2m`, `PT45S`. */
const Delay = z
  .string()
  .regex(/^(\d+(\.\d+)?(s|m|h|d)|P.+)$/, 'a duration: 30s, 2m, 1h, or ISO 8601 such as PT45S')
  .describe(
    'How long the endpoint takes to answer, in journey time: 30s, 2m, 1h, PT45S. Past the step’s timeoutSeconds the step times out.',
  );

const Answer = z
  .object({
    status: z.number().int().min(100).max(599).default(200).describe('The HTTP status; default 200.'),
    body: z.unknown().optional().describe('The JSON body; none when absent.'),
    delay: Delay.optional(),
  })
  .strict();
const Failure = z
  .object({
    fail: z
      .enum(['timeout', 'connection'])
      .describe(
        'timeout: the endpoint never answers, the step times out after its timeoutSeconds; connection: the connection breaks before an answer.',
      ),
  })
  .strict();
const WebhookReply = z.union([Answer, Failure]);

/** Request fields by dotted path (`customer.id`), each equal to the value given. */
const Fields = z
  .record(z.string().min(1), z.unknown())
  .describe('Fields of the JSON request body by dotted path, each equal to the value given.');

export const CallMatch = z
  .object({
    method: z.enum(WEBHOOK_METHODS).optional(),
    path: z
      .string()
      .regex(/^\//, 'a path starting with /')
      .optional()
      .describe('The path of the URL called, as in the journey file: /v1/orders.'),
    body: Fields.optional(),
  })
  .strict();
export type CallMatch = z.infer<typeof CallMatch>;

const Rule = z
  .object({
    match: CallMatch.optional().describe('Which calls get this reply; every call when absent.'),
    times: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Used for this many matching calls, then the next rule applies (calls count in the order they arrive).',
      ),
    reply: WebhookReply,
  })
  .strict();

export const WebhookScript = z
  .object({
    replies: z.array(Rule).default([]).describe('Tried in order: the first rule that matches answers.'),
    default: WebhookReply.optional().describe(
      'The reply to a call no rule matches. Without it such a call gets a 501 and fails the scenario.',
    ),
  })
  .strict();
export type WebhookScript = z.infer<typeof WebhookScript>;

export const Webhooks = z
  .record(ConnectionName, WebhookScript)
  .describe('Scripted replies of the endpoints behind each webhook connection, by connection name.');

export const WebhookExpectation = z
  .object({
    webhook: CallMatch.extend({
      connection: ConnectionName,
      times: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe('Exactly this many such calls (0: never called); at least one when absent.'),
    }).strict(),
  })
  .strict();
export type WebhookExpectation = z.infer<typeof WebhookExpectation>;
