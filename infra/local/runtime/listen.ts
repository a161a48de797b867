import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerThisMachineOnly } from './loopback-hosts.ts';

/** The service names whose ports can be chosen, as in `LocalOptions.ports`. */
export type ServiceName = 'dynamodb' | 'eventbridge' | 'sfn' | 'ses' | 'pinpoint' | 's3' | 'sqs' | 'console';

/** A port already taken, reported with the service and the option that moves it; `also` names other ports taken with it. */
export class PortInUseError extends Error {
  constructor(
    readonly service: HeldName,
    readonly port: number,
    readonly also: readonly { service: HeldName; port: number }[] = [],
  ) {
    const all = [{ service, port }, ...also];
    super(
      all.length === 1
        ? `Port ${port} (${service}) is already in use on 127.0.0.1. ` +
            `Stop what is using it or choose another port with --${service}-port <n> (ports.${service}).`
        : `Ports ${all.map((p) => `${p.port} (${p.service})`).join(', ')} are already in use on 127.0.0.1 ` +
            `(another local runtime?). Stop what is using them or choose other ports: ` +
            `${all.map((p) => `--${p.service}-port <n>`).join(' ')} (0 = any free port).`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * Every port of `ports` (0, any free port, is never taken) that another
 * process holds, as one error naming them all; undefined when all are free.
 */
export async function portsInUse(
  ports: Partial<Record<ServiceName, number>>,
): Promise<PortInUseError | undefined> {
  const taken: { service: ServiceName; port: number }[] = [];
  for (const [service, port] of Object.entries(ports) as [ServiceName, number][]) {
    if (port === 0) continue;
    const probe = createServer();
    try {
      await listenOn(probe, service, port);
      await closeServer(probe);
    } catch (error) {
      if (!(error instanceof PortInUseError)) throw error;
      taken.push({ service, port });
    }
  }
  const [first, ...also] = taken;
  return first === undefined ? undefined : new PortInUseError(first.service, first.port, also);
}

/**
 * Keeps a stand-in's idle keep-alive connections open until the client or
 * {@link closeServer} closes them. Node closes them after 5 s idle by
 * default, and a handler's client may be writing its next request on one at
 * that very moment: the request fails with ECONNRESET, which a send client
 * (no SDK retries) must record as "outcome unknown" — so a scenario failed
 * once in a while, by wall time, under load. Only handlers of this process
 * connect to a stand-in, so the open connections stay few.
 */
export function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = 0;
}

/**
 * Listens on loopback, answering requests that name a loopback host only
 * (loopback-hosts.ts); resolves with the bound port (useful when asked for port 0).
 */
export function listenOn(server: Server, service: HeldName, port: number): Promise<number> {
  keepIdleConnections(server);
  answerThisMachineOnly(server);
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(service, port) : error);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Listens on loopback on any free port, for a server that lives as long as
 * one command or scenario: guarded as {@link listenOn} guards the runtime's.
 */
export function listenOnAnyPort(server: Server): Promise<number> {
  keepIdleConnections(server);
  answerThisMachineOnly(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes a server, dropping idle keep-alive sockets so shutdown is prompt. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** What can hold a port: a service of `LocalOptions.ports`, or the unsubscribe function URL. */
export type HeldName = ServiceName | 'unsubscribe';

/** A stand-in being served: the port it answers on, and how to stop serving it. */
export type Serving = { port: number; close: () => Promise<void> };

/**
 * Loopback ports held for as long as a process wants them, so runtimes
 * started one after another in one process (`journeys test`, a restart)
 * answer on the same ports: what a stopped runtime handed out (an
 * unsubscribe link, an endpoint) still reaches the next. Closing a port and binding it again would let another
 * process take it in between; here the listening socket stays open, and
 * each runtime's stand-in is mounted on it while that runtime runs (a
 * request between two runtimes is answered 503).
 */
export class HeldPorts {
  private readonly held = new Map<HeldName, { server: Server; port: number; target?: Server }>();

  /** Serves `server` on the port held for `service`, opening it (on `port`, 0 for any) the first time. */
  async mount(service: HeldName, server: Server, port: number): Promise<Serving> {
    let entry = this.held.get(service);
    if (entry === undefined) {
      const outer = createServer((req, res) => {
        const target = this.held.get(service)?.target;
        if (target === undefined) res.writeHead(503).end(`${service} is not running`);
        else target.emit('request', req, res);
      });
      entry = { server: outer, port: await listenOn(outer, service, port) };
      this.held.set(service, entry);
    }
    if (entry.target !== undefined) throw new Error(`${service} is already mounted on port ${entry.port}`);
    entry.target = server;
    const mounted = entry;
    return {
      port: entry.port,
      close: async () => {
        if (mounted.target === server) mounted.target = undefined;
      },
    };
  }

  /** Closes every held port. */
  async close(): Promise<void> {
    const servers = [...this.held.values()].map((entry) => entry.server);
    this.held.clear();
    await Promise.all(servers.map(closeServer));
  }
}

/** Serves `server` on loopback: on the held port when given held ports, else on its own port, closed with it. */
export async function serve(
  server: Server,
  service: HeldName,
  port: number,
  held: HeldPorts | undefined,
): Promise<Serving> {
  if (held !== undefined) return held.mount(service, server, port);
  const bound = await listenOn(server, service, port);
  return { port: bound, close: () => closeServer(server) };
}
