import { createServer, type Server } from 'node:http';
import sesLocal from 'aws-ses-v2-local';
import { closeServer, listenOn } from '../../runtime/listen.ts';

type Start = (config: { host: string; port: number }) => Promise<Server>;

function isStart(value: unknown): value is Start {
  return typeof value === 'function';
}

/** The emulator is CommonJS: Node's ESM loader nests its default export one level deeper than Vite's. */
function emulatorStart(): Start {
  const outer: unknown = sesLocal;
  if (isStart(outer)) return outer;
  const inner: unknown = sesLocal.default;
  if (isStart(inner)) return inner;
  throw new Error('aws-ses-v2-local exports no server function');
}

export type LocalSes = { endpoint: string; viewer: string; stop: () => Promise<void> };

/** Starts aws-ses-v2-local on loopback: the SES v2 API, its store at `/store`, a mail viewer at `/`. */
export async function startSes(port: number): Promise<LocalSes> {
  // The emulator resolves even when listening fails: claim the port first to report a clash clearly.
  const probe = createServer();
  const free = await listenOn(probe, 'ses', port);
  await closeServer(probe);
  const server = await emulatorStart()({ host: '127.0.0.1', port: free });
  if (!server.listening) throw new Error(`SES emulator could not listen on port ${free}`);
  const endpoint = `http://127.0.0.1:${free}`;
  return { endpoint, viewer: `${endpoint}/`, stop: () => closeServer(server) };
}
