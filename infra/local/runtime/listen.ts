import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The service names whose ports can be chosen, as in `LocalOptions.ports`. */
export type ServiceName = 'dynamodb' | 'eventbridge' | 'sfn' | 'ses' | 'pinpoint' | 's3' | 'sqs' | 'console';

/** A port already taken, reported with the service and the option that moves it. */
export class PortInUseError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly port: number,
  ) {
    super(
      `Port ${port} (${service}) is already in use on 127.0.0.1. ` +
        `Stop what is using it or choose another port with --${service}-port <n> (ports.${service}).`,
    );
    this.name = 'PortInUseError';
  }
}

/** Listens on loopback; resolves with the bound port (useful when asked for port 0). */
export function listenOn(server: Server, service: ServiceName, port: number): Promise<number> {
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

/** Closes a server, dropping idle keep-alive sockets so shutdown is prompt. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
