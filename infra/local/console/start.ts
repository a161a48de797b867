import { type Serving, serve } from '../runtime/listen.ts';
import type { ResolvedOptions } from '../runtime/options.ts';
import type { Services } from '../runtime/services.ts';
import { createConsoleServer } from './server.ts';

/** Serves the console for a running runtime, on `ports.console`. */
export async function startConsole(
  services: Services,
  options: ResolvedOptions,
): Promise<{ serving: Serving; url: string }> {
  const server = createConsoleServer({
    dataDir: options.dataDir,
    journeysDir: options.journeysDir,
    endpoints: services.endpoints,
    now: () => services.clock.now(),
  });
  const serving = await serve(server, 'console', options.ports.console, options.heldPorts);
  return { serving, url: `http://127.0.0.1:${serving.port}` };
}
