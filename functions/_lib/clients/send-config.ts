import { type AgentOptions, Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * Client settings of the send clients (SES v2, Pinpoint). The SDK's own
 * retries would resend a message whose first request reached the provider
 * (a 500 or a timeout after acceptance): a customer gets it twice. So each
 * call is one attempt; Step Functions retries only what proves the message
 * was not accepted (shared/errors.ts). A request that never gets an answer
 * fails after `requestTimeoutMs` (well inside the function timeout) as
 * "outcome unknown" rather than hanging until the function is killed.
 */
export type SendClientTimeouts = { connectionTimeoutMs: number; requestTimeoutMs: number };

const SEND_CLIENT_TIMEOUTS: SendClientTimeouts = {
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
};

/**
 * How long a kept-alive connection may have been idle and still carry a
 * send. A Lambda environment is frozen between invocations, and while it is
 * the provider (or a load balancer on the way) may drop the connection
 * without the process hearing of it; the timers that would retire idle
 * sockets do not run while frozen, and after the thaw the invocation's send
 * is written before they do. A send written on such a connection is reset
 * with no way to know whether it was read, and with one attempt per call
 * that is an "outcome unknown" for a message that could have gone out. Well
 * under any provider's idle timeout (and Node's own 5 s), so busy functions
 * still reuse their connections; an idle one pays one new handshake.
 */
export const SEND_CONNECTION_MAX_IDLE_MS = 4_000;

/** Node's agent as it works: `addRequest` places a request on a free socket or a new one. */
type PlacingAgent = HttpAgent & {
  addRequest(request: unknown, options: AgentOptions, ...rest: unknown[]): void;
};

/**
 * Keeps connections alive but never places a request on one idle for
 * `maxIdleMs` or more by `now` (real time, which goes on while a Lambda
 * environment is frozen): it is closed and the request gets a new one.
 */
export function freshConnections<A extends HttpAgent>(agent: A, maxIdleMs: number, now: () => number): A {
  const idleSince = new WeakMap<Duplex, number>();
  const placing = agent as A & PlacingAgent;
  const keepSocketAlive = placing.keepSocketAlive.bind(placing);
  placing.keepSocketAlive = (socket) => {
    idleSince.set(socket, now());
    return keepSocketAlive(socket);
  };
  const addRequest = placing.addRequest.bind(placing);
  placing.addRequest = (request, options, ...rest) => {
    const at = now();
    for (const socket of placing.freeSockets[placing.getName(options)] ?? []) {
      const since = idleSince.get(socket);
      // Destroyed, it is skipped by the placement and removed when it closes.
      if (since !== undefined && at - since >= maxIdleMs) socket.destroy();
    }
    addRequest(request, options, ...rest);
  };
  return agent;
}

export function sendClientConfig(
  timeouts: SendClientTimeouts = SEND_CLIENT_TIMEOUTS,
  now: () => number = Date.now,
) {
  // The SDK's own agents: keep-alive, 50 sockets per host.
  const options = { keepAlive: true, maxSockets: 50 };
  return {
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // Without it the handler only logs a warning and keeps waiting.
      throwOnRequestTimeout: true,
      httpAgent: freshConnections(new HttpAgent(options), SEND_CONNECTION_MAX_IDLE_MS, now),
      httpsAgent: freshConnections(new HttpsAgent(options), SEND_CONNECTION_MAX_IDLE_MS, now),
    },
  };
}
