import type { Server } from 'node:http';
import { listenOn } from '../runtime/listen.ts';
import type { ResolvedOptions } from '../runtime/options.ts';
import type { Services } from '../runtime/services.ts';
import { createConsoleServer } from './server.ts';

/** Serves the console for a running runtime, on `ports.console`. */
export async function startConsole(
  services: Services,
  options: ResolvedOptions,
): Promise<{ server: Server; url: string }> {
  const server = createConsoleServer({
    dataDir: options.dataDir,
    journeysDir: options.journeysDir,
    endpoints: services.endpoints,
    now: () => services.clock.now(),
  });
  const port = await listenOn(server, 'console', options.ports.console);
  return { server, url: `http://127.0.0.1:${port}` };
}
