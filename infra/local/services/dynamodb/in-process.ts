import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../runtime/aws.ts';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type Handler = NonNullable<DynamoDBClientConfig['requestHandler']>;
type Request = { method: string; path: string; headers: Record<string, string>; body?: unknown };
type Signer = Extract<NonNullable<DynamoDBClientConfig['signer']>, { sign: unknown }>;

/** What a DynamoDB client needs to reach a dynalite in this process: its request handler and signer. */
export type InProcessConfig = { requestHandler: Handler; signer: Signer };

/** A client config that reaches `server`'s dynalite in-process, its requests stamped ({@link inProcessSigner}). */
export function inProcessConfig(server: Server): InProcessConfig {
  return { requestHandler: inProcessHandler(server), signer: inProcessSigner };
}

/**
 * Signs nothing: a request handed to dynalite in this process never leaves
 * it, and dynalite checks only that an Authorization header of SigV4's shape
 * and a date are there, never the signature. So the request gets those two
 * headers as SigV4 would write them, for the local credentials, without the
 * hashing and HMACs (with the SDK's per-request signer set-up, about a tenth
 * of the CPU of a call). Only for a client whose `requestHandler` is
 * {@link inProcessHandler}: any other request is signed by the SDK as always.
 */
export const inProcessSigner: Signer = {
  sign: async (request, options) => {
    const date = new Date(options?.signingDate ?? Date.now()).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const scope = `${date.slice(0, 8)}/${options?.signingRegion ?? LOCAL_REGION}/${options?.signingService ?? 'dynamodb'}/aws4_request`;
    request.headers['x-amz-date'] = date;
    request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/${scope}, SignedHeaders=host;x-amz-date, Signature=in-process`;
    return request;
  },
};

/**
 * An SDK request handler that hands each request to dynalite's own request
 * listener in this process, without a socket: the local runtime's handlers
 * make tens of DynamoDB calls per event, and loopback HTTP (a connection's
 * parsers and streams on both sides) cost as much CPU as dynalite itself.
 * The SDK still serializes and parses every call as it does over the
 * network (with {@link inProcessConfig}, its signature is only stamped);
 * dynalite still validates and answers it; other clients (the AWS CLI, a
 * test's) still reach it on its port.
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
