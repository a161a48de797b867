import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * The local endpoints listen on 127.0.0.1, but listening there keeps out
 * other machines, not web pages open on this one: a page can have its own
 * name resolve to 127.0.0.1 (DNS rebinding) and then read and write an
 * endpoint as its own origin — customers' profiles in DynamoDB, the console's
 * pages, journeys put in the bucket, events on the bus. Such a request names
 * the page's host in its Host header; a client of this machine (the SDK, the
 * AWS CLI, a browser opening the console) names 127.0.0.1, localhost or
 * [::1]. Every other name is refused.
 *
 * A page on any site can also send a request to 127.0.0.1 from its
 * visitor's browser, and dynalite answers the CORS preflight of any origin:
 * such a page could scan and write every table. A browser names the page's
 * origin in every such request (`null` from a sandboxed frame or a file);
 * the SDK and the AWS CLI send none. A request from an origin that is not
 * this machine's is refused too.
 */

/** Names that reach this machine only: browsers resolve `*.localhost` to loopback themselves (RFC 6761). */
const LOOPBACK_NAME = /^(?:127\.0\.0\.1|\[::1\]|(?:[a-z0-9-]+\.)*localhost\.?)$/;

/** Whether a Host header names this machine (any port); a request without one (HTTP/1.0) came from no page. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return true;
  const name = host.toLowerCase().replace(/:\d*$/, '');
  return LOOPBACK_NAME.test(name);
}

/** Whether an Origin header is a page of this machine (any port); none at all is a client that is no page. */
export function isLoopbackOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!URL.canParse(origin)) return false;
  const { protocol, hostname } = new URL(origin);
  return (protocol === 'http:' || protocol === 'https:') && LOOPBACK_NAME.test(hostname);
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts the Host and Origin checks in front of the server's request listeners:
 * a request that names another host, or comes from a page of another origin,
 * is answered 403 and reaches none of them. Listeners added later are not
 * covered; a server is guarded once, however often asked.
 */
export function answerThisMachineOnly(server: Server): void {
  if (guarded.has(server)) return;
  guarded.add(server);
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!isLoopbackHost(req.headers.host) || !isLoopbackOrigin(req.headers.origin)) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('This endpoint answers requests for 127.0.0.1 or localhost, from this machine, only.');
      return;
    }
    for (const listener of listeners) listener.call(server, req, res);
  });
}

const guarded = new WeakSet<Server>();

/** Whether the server's requests pass the Host and Origin checks (answerThisMachineOnly). */
export function answersThisMachineOnly(server: Server): boolean {
  return guarded.has(server);
}
