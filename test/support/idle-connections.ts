import type { Server } from 'node:http';

/**
 * Keeps a local stand-in's idle kept-alive connections open until the client
 * closes them. Node closes them after 5 s by default, and a client that
 * writes its next request on one in the same instant gets a reset: with one
 * attempt per call, an "outcome unknown" no test injected, whose odds grow
 * with the machine's load. The send clients retire idle connections
 * themselves (send-config.ts), so that path is still exercised.
 */
export function keepIdleConnections<S extends Server>(server: S): S {
  server.keepAliveTimeout = 0;
  return server;
}
