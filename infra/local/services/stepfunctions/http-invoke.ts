import * as z from 'zod';
import { MAX_RESPONSE_BYTES } from '#shared/journey/state-budget.ts';
import { isUnderBase, MAX_WEBHOOK_TIMEOUT_SECONDS } from '#shared/journey/webhook.ts';
import { TaskFailureError } from './runner/runner-tokens.ts';

/**
 * The Step Functions HTTP Task (`arn:aws:states:::http:invoke`), run locally:
 * the call goes to the connection's endpoint with the connection's
 * credentials added here, as EventBridge adds them in AWS — the Task input,
 * the activity log and the execution history carry only the connection ARN.
 */

/** A local connection: the base URL calls must stay under, and the header its secret becomes. */
export type LocalConnection = {
  arn: string;
  baseUrl: string;
  /** Where calls under baseUrl go locally (a loopback server), the rest of the URL kept. */
  target: string;
  /** The credential header (an API key, or Authorization for basic auth), resolved from the secret. */
  authHeader: { name: string; value: string };
};

const HttpInvokeParameters = z.object({
  ApiEndpoint: z.string(),
  Method: z.string(),
  Authentication: z.object({ ConnectionArn: z.string() }),
  Headers: z.record(z.string(), z.string()).optional(),
  QueryParameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  RequestBody: z.unknown().optional(),
});

/** The error Step Functions fails an HTTP Task with when the role or connection does not allow the call. */
const PERMISSIONS = 'States.Permissions';

/** The endpoint moved from the connection's base to its local target, the rest of the URL kept. */
function targetUrl(endpoint: string, connection: LocalConnection): string {
  const from = new URL(endpoint);
  const rest = from.pathname.slice(new URL(connection.baseUrl).pathname.replace(/\/$/, '').length);
  const to = new URL(connection.target);
  to.pathname = `${to.pathname.replace(/\/$/, '')}${rest}`;
  to.search = from.search;
  return to.toString();
}

function requestUrl(endpoint: string, query: Readonly<Record<string, unknown>> | undefined): string {
  const url = new URL(endpoint);
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== null && value !== undefined) url.searchParams.append(key, String(value));
  return url.toString();
}

/** Reads at most `limit` bytes of the body; undefined when it is longer. */
async function boundedText(response: Response, limit: number): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parsedBody(text: string, contentType: string | null): unknown {
  if (contentType?.includes('json') !== true) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The cap on one call: `maxCallMs` of real time, or, where a test decides
 * when that time is up, the signal `expired` gives it.
 */
export type CallLimits = { maxCallMs: number; expired?: (maxCallMs: number) => AbortSignal };

/** `http:invoke` against local connections (by ARN). */
export function httpInvokeIntegration(
  connections: readonly LocalConnection[],
  limits: CallLimits = { maxCallMs: MAX_WEBHOOK_TIMEOUT_SECONDS * 1000 },
) {
  const expired = limits.expired ?? ((ms: number) => AbortSignal.timeout(ms));
  const byArn = new Map(connections.map((c) => [c.arn, c]));
  return async (input: unknown, call?: { ended?: AbortSignal }): Promise<unknown> => {
    const params = HttpInvokeParameters.parse(input);
    const connection = byArn.get(params.Authentication.ConnectionArn);
    if (connection === undefined)
      throw new TaskFailureError(PERMISSIONS, `Unknown connection ${params.Authentication.ConnectionArn}`);
    if (!isUnderBase(params.ApiEndpoint, connection.baseUrl))
      throw new TaskFailureError(PERMISSIONS, `${params.ApiEndpoint} is not under the connection's base URL`);
    const headers = new Headers(params.Headers ?? {});
    headers.set(connection.authHeader.name, connection.authHeader.value);
    const hasBody = params.RequestBody !== undefined && params.Method !== 'GET';
    if (hasBody) headers.set('content-type', 'application/json; charset=utf-8');
    // Step Functions ends a call after 60 s whatever TimeoutSeconds says; a silent endpoint must not hold the runtime.
    // A call also ends with its Task (its TimeoutSeconds expired on the journey clock, or the execution stopped).
    const ended = call?.ended;
    const signal = AbortSignal.any([expired(limits.maxCallMs), ...(ended === undefined ? [] : [ended])]);
    let response: Response;
    let text: string | undefined;
    try {
      response = await fetch(requestUrl(targetUrl(params.ApiEndpoint, connection), params.QueryParameters), {
        method: params.Method,
        headers,
        signal,
        // A redirect is the endpoint's answer, not a new call: followed, the credential header (which
        // fetch keeps across origins) would go wherever its Location points, past the connection's base.
        redirect: 'manual',
        ...(hasBody ? { body: JSON.stringify(params.RequestBody) } : {}),
      });
      text = await boundedText(response, MAX_RESPONSE_BYTES);
    } catch (error) {
      if (ended?.aborted === true)
        throw new TaskFailureError(
          'States.Timeout',
          'The Task ended (its TimeoutSeconds, or the execution stopped) before a complete response',
        );
      if (signal.aborted)
        throw new TaskFailureError('States.Timeout', `No complete response within ${limits.maxCallMs} ms`);
      throw new TaskFailureError(
        'States.Http.Socket',
        error instanceof Error ? error.message : String(error),
      );
    }
    if (text === undefined)
      throw new TaskFailureError(
        'States.DataLimitExceeded',
        `The response body is over ${MAX_RESPONSE_BYTES} bytes`,
      );
    const body = parsedBody(text, response.headers.get('content-type'));
    if (response.status < 200 || response.status > 299)
      throw new TaskFailureError(
        `States.Http.StatusCode.${response.status}`,
        JSON.stringify({ StatusCode: response.status, StatusText: response.statusText }),
      );
    return {
      StatusCode: response.status,
      StatusText: response.statusText,
      Headers: Object.fromEntries(response.headers),
      ResponseBody: body,
    };
  };
}
