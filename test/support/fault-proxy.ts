import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DeserializeMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import { keepIdleConnections } from './idle-connections.ts';

/**
 * A loopback HTTP proxy that injects provider faults in front of a local
 * stand-in (the SES v2 emulator, the Pinpoint endpoint). Each request gets a
 * fault from the plan, by its arrival index:
 *
 * - `pass`            forward and relay the answer;
 * - `throttle`        429 TooManyRequestsException, not forwarded;
 * - `reject`          400 BadRequestException, not forwarded (a refusal for good);
 * - `error-before`    500 without forwarding (the provider never saw it);
 * - `error-after`     forward (the provider accepts the message), then answer 500;
 * - `timeout-before`  answer "timed out", not forwarded;
 * - `timeout-after`   forward, then answer "timed out";
 * - `reset-after`     forward, then drop the connection.
 *
 * A timeout is an answer, not a wait: a client given `answerTimeouts` fails
 * that request with the error its HTTP handler raises when the request
 * timeout expires, at once. Racing a real timer instead made the outcome
 * depend on how fast the machine was (a slow connect under load became a
 * timeout nobody injected).
 *
 * `forwarded` counts requests the stand-in received: what the provider accepted.
 */
export type Fault =
  | 'pass'
  | 'throttle'
  | 'reject'
  | 'error-before'
  | 'error-after'
  | 'timeout-before'
  | 'timeout-after'
  | 'reset-after';

/**
 * What a plan may look at: the operation (`x-amz-target` for JSON protocols such as DynamoDB's, the
 * method and path for REST ones such as SES v2's) and the body.
 */
export type FaultRequest = { target: string; body: string };

export type FaultPlan = (requestIndex: number, request: FaultRequest) => Fault;

export type FaultProxy = {
  /** Replaces the plan; request indexes and counts start again at 0. */
  plan: (next: FaultPlan) => void;
  stats: () => { requests: number; forwarded: number; faults: Map<Fault, number> };
  /** Resolves when every request received so far has been forwarded or answered (not the held ones' clients). */
  idle: () => Promise<void>;
  stop: () => Promise<void>;
};

/** A fault proxy on a loopback port: clients reach the stand-in through `endpoint`. */
export type HttpFaultProxy = FaultProxy & { endpoint: string };

/** Faults with `rate` probability, from a seeded generator: the same seed gives the same requests faulted. */
export function randomFaults(fault: Fault, rate: number, seed = 1): FaultPlan {
  let state = seed >>> 0;
  const next = () => {
    // mulberry32: small, seedable, good enough to pick requests.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => (next() < rate ? fault : 'pass');
}

/** Faults the requests whose index is listed, passes the others. */
export function faultsAt(fault: Fault, indexes: number[]): FaultPlan {
  const set = new Set(indexes);
  return (index) => (set.has(index) ? fault : 'pass');
}

export const ERRORS = {
  throttle: { status: 429, type: 'TooManyRequestsException', message: 'Rate exceeded' },
  reject: { status: 400, type: 'BadRequestException', message: 'Request refused (injected)' },
  server: { status: 500, type: 'InternalFailure', message: 'Internal failure (injected)' },
} as const;

/** The header of a "timed out" answer, which `answerTimeouts` turns into the client's timeout error. */
export const TIMED_OUT = 'x-fault-proxy-timed-out';

function replyTimedOut(res: ServerResponse): void {
  res.writeHead(504, { [TIMED_OUT]: 'true', 'content-length': 0 });
  res.end();
}

/** What a client stack passes on to its deserializer: the handler's HTTP response. */
function timedOut(output: { response: unknown }): boolean {
  const headers: unknown = Reflect.get(Object(output.response), 'headers');
  return headers !== null && typeof headers === 'object' && Reflect.get(headers, TIMED_OUT) === 'true';
}

/** Destroys a response's body stream, and with it the connection, as a timed-out request's is. */
function giveUpConnection(response: unknown): void {
  const body: unknown = Reflect.get(Object(response), 'body');
  const destroy: unknown =
    body !== null && typeof body === 'object' ? Reflect.get(body, 'destroy') : undefined;
  if (typeof destroy === 'function') Reflect.apply(destroy, body, []);
}

/**
 * Makes an SDK client fail a request the proxy answered "timed out" with the
 * error @smithy/node-http-handler raises when `requestTimeout` expires (name,
 * code and the gist of its message), where that error arises: below the
 * deserializer, so the client's own error handling sees it as it would.
 */
export function answerTimeouts<Input extends object, Output extends MetadataBearer>(client: {
  middlewareStack: MiddlewareStack<Input, Output>;
}): void {
  const middleware: DeserializeMiddleware<Input, Output> = (next) => async (args) => {
    const output = await next(args);
    if (!timedOut(output)) return output;
    // The handler's timeout destroys the request and its connection. Left unread, the answer would hold
    // its connection for good: past the agent's sockets per host, every later call waits forever.
    giveUpConnection(output.response);
    throw Object.assign(
      new Error('fault proxy: a request has exceeded the configured requestTimeout (injected)'),
      { name: 'TimeoutError', code: 'ETIMEDOUT' },
    );
  };
  client.middlewareStack.add(middleware, {
    step: 'deserialize',
    priority: 'low',
    name: 'faultProxyTimeouts',
  });
}

/** The body of an injected error answer: the message in both spellings AWS services use. */
export function errorBody(kind: keyof typeof ERRORS): string {
  const { message } = ERRORS[kind];
  return JSON.stringify({ message, Message: message });
}

function replyError(res: ServerResponse, kind: keyof typeof ERRORS): void {
  const error = ERRORS[kind];
  const body = errorBody(kind);
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'x-amzn-errortype': error.type,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** A stand-in's answer, read whole. */
type Answer = { status: number; headers: IncomingHttpHeaders; body: Buffer };

/** Hop-by-hop headers, and the length, which the proxy sets itself. */
const NOT_RELAYED = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

function relayed(from: IncomingHttpHeaders): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(from))
    if (value !== undefined && !NOT_RELAYED.has(name)) headers[name] = value;
  return headers;
}

/** Forwards a request with node:http (fetch costs several times the CPU per request, and these are many). */
function forward(target: string, agent: Agent, req: IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const out = request(
      new URL(req.url ?? '/', target),
      {
        method: req.method ?? 'GET',
        headers: { ...relayed(req.headers), 'content-length': body.length },
        agent,
      },
      (answer) => {
        readBody(answer).then(
          (read) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: read }),
          reject,
        );
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

function relay(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { ...relayed(answer.headers), 'content-length': answer.body.length });
  res.end(answer.body);
}

/**
 * A fault plan and what it did, for a proxy of any kind: each request's fault
 * by its arrival index, the faults given, the requests the stand-in answered,
 * and the requests still being handled.
 */
export class FaultLedger {
  private requests = 0;
  private forwarded = 0;
  private readonly faults = new Map<Fault, number>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private plan: FaultPlan = () => 'pass') {}

  /** The next request's index, in the order requests arrive. */
  arrival(): number {
    this.requests += 1;
    return this.requests - 1;
  }

  /** The fault the plan gives the request, counted. */
  faultOf(index: number, request: FaultRequest): Fault {
    const fault = this.plan(index, request);
    this.faults.set(fault, (this.faults.get(fault) ?? 0) + 1);
    return fault;
  }

  /** Counts a request once the stand-in has answered it: it holds what was asked from here on. */
  answered(): void {
    this.forwarded += 1;
  }

  /** Keeps a request's handling until it settles, for `idle`. */
  track<T>(handled: Promise<T>): Promise<T> {
    this.pending.add(handled);
    void handled.then(
      () => this.pending.delete(handled),
      () => this.pending.delete(handled),
    );
    return handled;
  }

  /** The controls of a proxy that keeps this ledger, with its own `stop`. */
  controls(stop: () => Promise<void>): FaultProxy {
    return {
      plan: (next) => {
        this.plan = next;
        this.requests = 0;
        this.forwarded = 0;
        this.faults.clear();
      },
      stats: () => ({ requests: this.requests, forwarded: this.forwarded, faults: new Map(this.faults) }),
      idle: async () => {
        while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
      },
      stop,
    };
  }
}

export async function startFaultProxy(
  target: string,
  initial: FaultPlan = () => 'pass',
): Promise<HttpFaultProxy> {
  const ledger = new FaultLedger(initial);
  const sockets = new Set<Socket>();
  const agent = new Agent({ keepAlive: true });

  const handle = async (req: IncomingMessage, res: ServerResponse, index: number) => {
    const body = await readBody(req);
    const operation = req.headers['x-amz-target'];
    const fault = ledger.faultOf(index, {
      target:
        typeof operation === 'string'
          ? operation
          : `${req.method} ${new URL(req.url ?? '/', target).pathname}`,
      body: body.toString('utf8'),
    });
    if (fault === 'throttle') return replyError(res, 'throttle');
    if (fault === 'reject') return replyError(res, 'reject');
    if (fault === 'error-before') return replyError(res, 'server');
    if (fault === 'timeout-before') return replyTimedOut(res);
    const answer = await forward(target, agent, req, body);
    ledger.answered();
    if (fault === 'pass') return relay(res, answer);
    if (fault === 'error-after') return replyError(res, 'server');
    if (fault === 'timeout-after') return replyTimedOut(res);
    if (fault === 'reset-after') {
      req.socket.destroy();
      return;
    }
  };

  const server = keepIdleConnections(
    createServer((req, res) => {
      ledger.track(
        handle(req, res, ledger.arrival()).catch((error: unknown) => {
          res.destroy(error instanceof Error ? error : new Error(String(error)));
        }),
      );
    }),
  );
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...ledger.controls(async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  };
}
