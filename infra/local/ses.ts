import { createServer } from 'node:http';
import sesLocal from 'aws-ses-v2-local';
import { closeServer, listenOn } from './listen.ts';

export type LocalSes = { endpoint: string; viewer: string; stop: () => Promise<void> };

/** Starts aws-ses-v2-local on loopback: the SES v2 API, its store at `/store`, a mail viewer at `/`. */
export async function startSes(port: number): Promise<LocalSes> {
  // The emulator resolves even when listening fails: claim the port first to report a clash clearly.
  const probe = createServer();
  const free = await listenOn(probe, 'ses', port);
  await closeServer(probe);
  const server = await sesLocal.default({ host: '127.0.0.1', port: free });
  if (!server.listening) throw new Error(`SES emulator could not listen on port ${free}`);
  const endpoint = `http://127.0.0.1:${free}`;
  return { endpoint, viewer: `${endpoint}/`, stop: () => closeServer(server) };
}
