import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type * as z from 'zod';

/**
 * The most a request to a local AWS JSON endpoint may hold: well past every operation's own limit
 * (256 KB of events or of execution input, 1 MiB of a queue message, their JSON escapes included),
 * so only a request no operation could take is refused before it is parsed.
 */
export const MAX_JSON_REQUEST_BYTES = 8 * 1024 * 1024;

/** A request body past the size its endpoint takes. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is over ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads a request body in full, up to `maxBytes`: past it the rest is read and dropped, so the
 * client still gets an answer and memory holds no more than the limit, and BodyTooLargeError is thrown.
 */
export async function readBody(req: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size <= maxBytes) chunks.push(bytes);
  }
  if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
  return Buffer.concat(chunks);
}

/**
 * A path segment's percent-escapes decoded, or undefined when they are
 * malformed (`%E0%A4%A`, a link cut short, `%zz`): the request is at fault,
 * which a service answers as a bad request, never as its own failure.
 */
export function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Sends a JSON reply. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An error an AWS API reports to its client: `__type` is what the SDK turns into the exception name. */
export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** A request parsed with its schema; a mismatch is the `ValidationException` AWS answers with. */
export function parseRequest<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new AwsApiError(
    'ValidationException',
    `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
  );
}

export type JsonOperation = (input: unknown) => Promise<unknown> | unknown;

/** Serves a request outside the AWS protocol; resolves false when the path is not its own. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * A server for the AWS JSON protocols (1.0 and 1.1): `POST /`, the operation in
 * `X-Amz-Target: <prefix>.<Operation>`, a JSON body, errors as `{__type, message}`.
 */
export function createAwsJsonServer(
  targetPrefix: string,
  version: '1.0' | '1.1',
  operations: Readonly<Record<string, JsonOperation>>,
  routes?: RouteHandler,
): Server {
  const contentType = `application/x-amz-json-${version}`;
  return createServer((req, res) => {
    void (async () => {
      const isAws = req.method === 'POST' && (req.url === '/' || req.url === '');
      if (!isAws && routes !== undefined && (await routes(req, res).catch(() => false))) return;
      await handleJson(req, res, targetPrefix, contentType, operations);
    })();
  });
}

async function handleJson(
  req: IncomingMessage,
  res: ServerResponse,
  targetPrefix: string,
  contentType: string,
  operations: Readonly<Record<string, JsonOperation>>,
): Promise<void> {
  try {
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(`${targetPrefix}.`) ? target.slice(targetPrefix.length + 1) : '';
    const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
    const raw = await readBody(req, MAX_JSON_REQUEST_BYTES);
    if (operation === undefined)
      throw new AwsApiError('UnknownOperationException', `Unknown operation ${target}`);
    const input = raw.length === 0 ? {} : requestJson(raw);
    sendJson(res, 200, (await operation(input)) ?? {}, contentType);
  } catch (error) {
    const apiError = asApiError(error);
    sendJson(res, apiError.status, { __type: apiError.code, message: apiError.message }, contentType);
  }
}

/** The request's JSON; text that is not JSON is the client's fault, which AWS answers with a 400. */
function requestJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new AwsApiError('SerializationException', error instanceof Error ? error.message : String(error));
  }
}

/** An error as the client sees it: only a failure of the endpoint itself is a 5xx, which SDKs retry. */
function asApiError(error: unknown): AwsApiError {
  if (error instanceof AwsApiError) return error;
  if (error instanceof BodyTooLargeError)
    return new AwsApiError('RequestEntityTooLargeException', error.message, 413);
  return new AwsApiError('InternalFailure', error instanceof Error ? error.message : String(error), 500);
}
