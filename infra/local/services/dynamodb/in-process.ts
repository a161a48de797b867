import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type Handler = NonNullable<DynamoDBClientConfig['requestHandler']>;
type Request = { method: string; path: string; headers: Record<string, string>; body?: unknown };

/**
 * An SDK request handler that hands each request to dynalite's own request
 * listener in this process, without a socket: the local runtime's handlers
 * make tens of DynamoDB calls per event, and loopback HTTP (a connection's
 * parsers and streams on both sides) cost as much CPU as dynalite itself.
 * The SDK still serializes, signs and parses every call as it does over the
 * network; dynalite still validates and answers it; other clients (the AWS
 * CLI, a test's) still reach it on its port.
 */
export function inProcessHandler(server: Server): Handler {
  const listener = server.listeners('request')[0] as RequestListener | undefined;
  if (listener === undefined) throw new Error('dynalite server has no request listener');
  return {
    handle: (request: Request) => exchange(listener, request),
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  } as unknown as Handler;
}

/** One request through `listener`: what dynalite reads of a request, and what it writes of a response. */
function exchange(listener: RequestListener, request: Request) {
  return new Promise<{ response: { statusCode: number; headers: Record<string, string>; body: Buffer } }>(
    (resolve, reject) => {
      const headers: Record<string, string> = Object.create(null);
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      const req = Object.assign(new EventEmitter(), { method: request.method, url: request.path, headers });
      const out: Record<string, string> = Object.create(null);
      const res = {
        statusCode: 200,
        contentType: undefined as string | undefined,
        setHeader(name: string, value: unknown) {
          out[name.toLowerCase()] = String(value);
        },
        end(body?: string | Buffer) {
          const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
          resolve({ response: { statusCode: res.statusCode, headers: out, body: bytes } });
        },
      };
      try {
        listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
        const body = request.body;
        // The SDK's JSON body is a Uint8Array whose string methods (valueOf, which Buffer.from calls) warn:
        // its bytes are taken as they are.
        if (typeof body === 'string') req.emit('data', Buffer.from(body));
        else if (body instanceof Uint8Array)
          req.emit('data', Buffer.from(body.buffer, body.byteOffset, body.byteLength));
        else if (body !== undefined && body !== null) throw new Error('a DynamoDB request body is text');
        req.emit('end');
      } catch (error) {
        reject(error);
      }
    },
  );
}
