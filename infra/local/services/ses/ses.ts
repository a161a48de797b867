import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sesLocal from 'aws-ses-v2-local';
import { clearStore, getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import * as z from 'zod';
import { warnOnce } from '../../runtime/capped-log.ts';
import { BodyTooLargeError, MAX_JSON_REQUEST_BYTES, readBody } from '../../runtime/http.ts';
import {
  closeServer,
  type HeldPorts,
  keepIdleConnections,
  type Serving,
  serve,
} from '../../runtime/listen.ts';
import type { SentEmail } from './feedback.ts';
import { type KeptEmail, SentEmailLog } from './sent-log.ts';

type Start = (config: { host: string; port: number | string }) => Promise<Server>;

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
 * Told of each email the emulator accepted, with a key that is the same on
 * every run for the same email (its recipients and request, not the message
 * id the emulator draws at random): what SES publishes about emails sent at
 * one instant is ordered by it.
 */
export type OnSent = (email: SentEmail, key: string) => void;

/**
 * Starts aws-ses-v2-local on loopback: the SES v2 API, its store at `/store`,
 * a mail viewer at `/`. The emulator keeps every email in memory for as long
 * as it runs; here it keeps the newest `maxEmails` (see {@link keepNewest}),
 * and, given a `file`, keeps them there too ({@link SentEmailLog}): an
 * emulator started on the same file shows them again, as a restarted
 * runtime should.
 * The API is served on `port` through a small proxy in front of the
 * emulator (which listens on a socket of its own): the proxy reports a
 * port in use clearly (the emulator does not), can be mounted on a held
 * port, and, with `onSent`, tells of each email the emulator accepted (it
 * publishes no events itself), so the runtime can publish what SES would.
 */
export async function startSes(
  port: number,
  maxEmails: number,
  options: { heldPorts?: HeldPorts; onSent?: OnSent; file?: string; maxBytes?: number } = {},
): Promise<LocalSes> {
  const emulator = await startEmulator(maxEmails);
  const kept =
    options.file === undefined ? undefined : await keepSent(options.file, maxEmails, options.maxBytes);
  const proxy = createServer((req, res) => {
    void forward(req, res, emulator.socketPath, options.onSent, kept).catch((error: unknown) => {
      if (res.headersSent) res.end();
      else if (error instanceof BodyTooLargeError)
        sendSesError(res, 413, 'RequestEntityTooLargeException', error.message);
      else {
        res.writeHead(502);
        res.end();
      }
    });
  });
  let serving: Serving;
  try {
    serving = await serve(proxy, 'ses', port, options.heldPorts);
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${serving.port}`;
  return {
    endpoint,
    viewer: `${endpoint}/`,
    stop: async () => {
      await serving.close();
      await emulator.stop();
      await kept?.flushed();
    },
  };
}

/**
 * Starts the emulator on a socket of its own (a file in a private folder, a
 * named pipe on Windows), never on a TCP port: the library creates its server
 * and listens in one call, so a port of its would answer, for a moment, before
 * anything could guard it — to a page on a rebound name, its mail viewer and
 * store included. Only the guarded proxy reaches it.
 */
async function startEmulator(maxEmails: number) {
  // The emulator's store is one per process: a runtime started after another in the same process
  // (`journeys test`, the end-to-end tests) starts, as a new process would, with no emails.
  clearStore();
  const folder = await mkdtemp(join(tmpdir(), 'journeys-ses-'));
  const socketPath =
    process.platform === 'win32' ? `\\\\.\\pipe\\${basename(folder)}` : join(folder, 'ses.sock');
  // The library passes `port` to `listen` as is: a path listens on that socket (`host` is then unused).
  const server = await emulatorStart()({ host: '127.0.0.1', port: socketPath });
  if (!server.listening) {
    await rm(folder, { recursive: true, force: true });
    throw new Error('SES emulator could not listen on its socket');
  }
  // The proxy reuses its connections to the emulator: one closed as a request goes out would be a 502.
  keepIdleConnections(server);
  // Emails arrive only through requests: trimming after each one keeps the store within its cap.
  server.on('request', (_req, res) => res.on('finish', () => keepNewest(maxEmails)));
  return {
    socketPath,
    stop: async () => {
      await closeServer(server);
      await rm(folder, { recursive: true, force: true });
    },
  };
}

const SEND_PATH = '/v2/email/outbound-emails';
const SendRequest = z.object({
  ConfigurationSetName: z.string().optional(),
  Destination: z.object({ ToAddresses: z.array(z.string()).optional() }).optional(),
});
const SendResponse = z.object({ MessageId: z.string() });

type KeepSent = {
  /** Writes what a request to the emulator changed in its store (emails accepted, the store cleared). */
  after: (path: string, status: number) => Promise<void>;
  flushed: () => Promise<void>;
};

/**
 * Loads the emails kept in `file` into the emulator's store (emptied just
 * before, see {@link startEmulator}) and keeps there each email it accepts
 * from now on.
 */
async function keepSent(file: string, maxEmails: number, maxBytes?: number): Promise<KeepSent> {
  const { log, emails } = await SentEmailLog.open(file, maxEmails, maxBytes);
  const store = getStoreReadonly();
  store.emails.push(...emails);
  // The store's own objects: an email is new until it is in this set.
  const written = new WeakSet<object>(emails);
  const warn = warnOnce('sent email log', 'emails sent now are not shown after a restart');
  return {
    after: async (path, status) => {
      if (status !== 200) return;
      if (path === CLEAR_PATH) return log.clear().catch(warn);
      // Accepted emails are the newest at the end of the store; taken at once, so each is written once.
      const { emails: held } = getStoreReadonly();
      let first = held.length;
      for (let email = held[first - 1]; email !== undefined && !written.has(email); email = held[first - 1])
        first -= 1;
      const accepted: KeptEmail[] = held.slice(first);
      for (const email of accepted) written.add(email);
      keepNewest(maxEmails);
      // Awaited even with nothing new: a request answered at once may have had its email taken by another's scan.
      await log.append(accepted, () => getStoreReadonly().emails).catch(warn);
    },
    flushed: () => log.flushed(),
  };
}

const CLEAR_PATH = '/clear-store';

/**
 * Passes one request to the emulator and its answer back; with `kept`, what
 * it stored is on disk before the answer; an accepted SendEmail is told to `onSent`.
 */
async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  socketPath: string,
  onSent: OnSent | undefined,
  kept: KeepSent | undefined,
): Promise<void> {
  const body = await readBody(req, MAX_JSON_REQUEST_BYTES);
  const malformed = malformedJson(req, body);
  if (malformed !== undefined) return sendSesError(res, 400, 'BadRequestException', malformed);
  const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const upstream = request(
        { socketPath, method: req.method, path: req.url, headers: req.headers },
        (reply) => {
          void readBody(reply).then(
            (data) => resolve({ status: reply.statusCode ?? 502, headers: reply.headers, body: data }),
            reject,
          );
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    },
  );
  const path = req.url?.split('?')[0] ?? '';
  if (req.method === 'POST') await kept?.after(path, answer.status);
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
  if (onSent === undefined) return;
  if (req.method !== 'POST' || path !== SEND_PATH || answer.status !== 200) return;
  const sent = SendResponse.safeParse(parseJson(answer.body));
  const asked = SendRequest.safeParse(parseJson(body));
  const configurationSet = asked.data?.ConfigurationSetName;
  // As on AWS: only a configuration set's emails have their events published.
  if (!sent.success || configurationSet === undefined) return;
  const to = asked.data?.Destination?.ToAddresses ?? [];
  const key = `${to.join(',')}\u0000${createHash('sha256').update(body).digest('hex')}`;
  onSent({ messageId: sent.data.MessageId, to, configurationSet }, key);
}

/**
 * Why a JSON request body cannot be read, or undefined when it can (or is not
 * JSON): the emulator would answer it with an HTML page of its stack trace,
 * where SES answers a 400 its SDK reads. Judged as the emulator's parser
 * (express.json) would: a body sent as JSON must be an object or an array.
 */
function malformedJson(req: IncomingMessage, body: Buffer): string | undefined {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (type !== 'application/json' || body.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null
      ? undefined
      : 'The request body must be a JSON object.';
  } catch (error) {
    return `The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** An error as SES v2 (REST JSON) answers one: its type in `x-amzn-ErrorType`, which the SDK reads, and a JSON message. */
function sendSesError(res: ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': type,
  });
  res.end(text);
}

function parseJson(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
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
