import { createServer, type Server } from 'node:http';
import sesLocal from 'aws-ses-v2-local';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
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

/**
 * Starts aws-ses-v2-local on loopback: the SES v2 API, its store at `/store`,
 * a mail viewer at `/`. The emulator keeps every email in memory for as long
 * as it runs; here it keeps the newest `maxEmails` (see {@link keepNewest}).
 */
export async function startSes(port: number, maxEmails: number): Promise<LocalSes> {
  // The emulator resolves even when listening fails: claim the port first to report a clash clearly.
  const probe = createServer();
  const free = await listenOn(probe, 'ses', port);
  await closeServer(probe);
  const server = await emulatorStart()({ host: '127.0.0.1', port: free });
  if (!server.listening) throw new Error(`SES emulator could not listen on port ${free}`);
  // Emails arrive only through requests: trimming after each one keeps the store within its cap.
  server.on('request', (_req, res) => res.on('finish', () => keepNewest(maxEmails)));
  const endpoint = `http://127.0.0.1:${free}`;
  return { endpoint, viewer: `${endpoint}/`, stop: () => closeServer(server) };
}

/**
 * Drops the oldest emails past `max` from the emulator's store. The
 * emulator has no limit of its own; its store is the one array it appends
 * to and serves from (one per process, as the emulator's own is), so this
 * is the only place a cap can hold.
 */
export function keepNewest(max: number): void {
  const { emails } = getStoreReadonly();
  if (emails.length > max) emails.splice(0, emails.length - max);
}
