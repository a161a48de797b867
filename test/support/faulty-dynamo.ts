import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import type { InProcessConfig } from '#infra/local/services/dynamodb/in-process.ts';
import { localDocumentClient } from '#infra/local/services/dynamodb/local-document-client.ts';
import type { LocalDynamo } from './dynalite.ts';
import { answerTimeouts, ERRORS, errorBody, FaultLedger, type FaultProxy, TIMED_OUT } from './fault-proxy.ts';

/**
 * A document client reaching dynalite through injected faults, one attempt
 * per call: a fault injected is what the SDK's own retries would end with.
 * Setup and assertions go straight to dynalite (`db.doc`).
 *
 * The faults are those of the HTTP fault proxy (fault-proxy.ts), answered the
 * same way, but in the client's request handler, in front of dynalite's
 * in-process one: these tests make thousands of calls, and a loopback
 * connection (sockets, HTTP parsing on both sides, a SigV4 signature per
 * request) cost more CPU than dynalite answering them.
 */
export async function faultyDynamo(
  db: LocalDynamo,
): Promise<{ proxy: FaultProxy; doc: DynamoDBDocumentClient }> {
  const { proxy, requestHandler } = faultingHandler(db.inProcess);
  const doc = localDocumentClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: db.endpoint,
    maxAttempts: 1,
    requestHandler,
    signer: db.inProcess.signer,
  });
  answerTimeouts(doc);
  return { proxy, doc };
}

type HttpHandler = RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>;
type Answer = { response: HttpResponse };

function isHttpHandler(handler: unknown): handler is HttpHandler {
  return (
    typeof handler === 'object' && handler !== null && typeof Reflect.get(handler, 'handle') === 'function'
  );
}

function answer(statusCode: number, headers: Record<string, string>, body = ''): Answer {
  return { response: { statusCode, headers, body: Buffer.from(body) } };
}

function injectedError(kind: keyof typeof ERRORS): Answer {
  const { status, type } = ERRORS[kind];
  return answer(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }, errorBody(kind));
}

/** What node:http raises when the connection drops before the answer: the SDK takes it as transient. */
function connectionReset(): Error {
  return Object.assign(new Error('socket hang up (injected)'), { code: 'ECONNRESET' });
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array)
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return '';
}

/** A request handler applying a fault plan before and after dynalite's in-process handler. */
function faultingHandler(inProcess: InProcessConfig): {
  proxy: FaultProxy;
  requestHandler: HttpHandler;
} {
  const inner = inProcess.requestHandler;
  if (!isHttpHandler(inner)) throw new Error('dynalite in-process config has no request handler');
  const ledger = new FaultLedger();

  const handle = async (request: HttpRequest, options?: HttpHandlerOptions): Promise<Answer> => {
    const index = ledger.arrival();
    const target = request.headers['x-amz-target'] ?? '';
    const fault = ledger.faultOf(index, { target, body: bodyText(request.body) });
    if (fault === 'throttle') return injectedError('throttle');
    if (fault === 'reject') return injectedError('reject');
    if (fault === 'error-before') return injectedError('server');
    if (fault === 'timeout-before') return answer(504, { [TIMED_OUT]: 'true' });
    const answered = await inner.handle(request, options);
    ledger.answered();
    if (fault === 'error-after') return injectedError('server');
    if (fault === 'timeout-after') return answer(504, { [TIMED_OUT]: 'true' });
    if (fault === 'reset-after') throw connectionReset();
    return answered;
  };

  // The SDK also asks a handler for its configuration: the in-process one has none to give.
  const requestHandler: HttpHandler & {
    updateHttpClientConfig: () => void;
    httpHandlerConfigs: () => object;
  } = {
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
    handle: (request, options) => ledger.track(handle(request, options)),
  };
  const proxy = ledger.controls(async () => {});
  return { proxy, requestHandler };
}
