import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { HTTP_INVOKE_RESOURCE } from '#shared/journey/compile/webhook.ts';
import type { JourneyClock } from '../runtime/clock.ts';
import { type LocalConnectionConfig, localConnections } from '../runtime/connections.ts';
import { closeServer, listenOnAnyPort } from '../runtime/listen.ts';
import type { LocalRuntime } from '../runtime/runtime.ts';
import { recorded } from '../runtime/tasks.ts';
import { httpInvokeIntegration } from '../services/stepfunctions/http-invoke.ts';
import type { LocalTaskHandler } from '../services/stepfunctions/runner/runner.ts';
import { type Picked, ReplyScript, type WebhookRequest } from './webhook-match.ts';
import type { WebhookScript } from './webhook-schema.ts';
import { resolveWhen } from './when.ts';

/** A call the stand-in received, as a scenario sees it: never a header, so never a credential. */
export type WebhookCall = WebhookRequest & {
  connection: string;
  /** Journey time the call arrived. */
  at: string;
  /** What the journey got: `200`, `503`, `timed out`, `connection broken`, or why the call was refused. */
  outcome: string;
  /** Journey time of the outcome: later than `at` after a delay or a timeout. */
  endedAt: string;
  /** No scripted reply (or no credential): the scenario fails. */
  refused: boolean;
};

type TaskCall = Parameters<LocalTaskHandler>[1];

/** One scenario being served: a request belongs to the one it arrived in, even if it ends after. */
type Play = { clock: JourneyClock; scripts: Map<string, ReplyScript>; calls: WebhookCall[] };

/** Names the Task call a request belongs to; added and read inside the stand-in only, never recorded. */
const CALL_HEADER = 'x-journeys-scenario-call';
const CREDENTIAL_HEADER = 'x-api-key';
/** The largest request body read: a webhook body is built from a journey's context, a few KB. */
const MAX_REQUEST_BYTES = 256 * 1024;

const WithHeaders = z.object({ Headers: z.record(z.string(), z.string()).optional() }).loose();

/**
 * The endpoints behind a scenario run's webhook connections: one loopback
 * server answers every connection with the replies its scenario scripts,
 * after a delay in journey time when the script says so. The connections
 * carry a credential made for the run, which the server checks (a call
 * without it gets a 401) and records nowhere.
 */
export class WebhookStandIn {
  readonly #server: Server;
  readonly #credential: string;
  readonly #pending = new Map<string, TaskCall>();
  #play: Play | undefined;
  #sequence = 0;

  /** The connections to start the runtime with: each journey base URL, its calls sent here. */
  readonly connections: Map<string, LocalConnectionConfig>;

  private constructor(server: Server, bases: ReadonlyMap<string, string>, credential: string) {
    this.#server = server;
    this.#credential = credential;
    const { port } = server.address() as AddressInfo;
    this.connections = new Map(
      [...bases].map(([name, baseUrl]) => [
        name,
        {
          baseUrl,
          target: `http://127.0.0.1:${port}/${name}`,
          auth: { type: 'apiKey', header: CREDENTIAL_HEADER, value: credential },
        },
      ]),
    );
  }

  /** Listens on loopback for the connections named in `bases` (name → base URL). */
  static async start(
    bases: ReadonlyMap<string, string>,
    credential: string = randomUUID(),
  ): Promise<WebhookStandIn> {
    let standIn: WebhookStandIn | undefined;
    const server = createServer((req, res) => {
      if (standIn !== undefined) standIn.#answer(req, res).catch(() => res.destroy());
    });
    await listenOnAnyPort(server);
    standIn = new WebhookStandIn(server, bases, credential);
    return standIn;
  }

  /**
   * Serves one scenario on `runtime`: its scripts, a fresh call log, and the
   * runtime's http:invoke Task bound to the real integration through this
   * stand-in (so each request can be matched to its Task and its journey time).
   */
  play(runtime: LocalRuntime, scripts: Readonly<Record<string, WebhookScript>> | undefined): void {
    const { clock, activity, taskHandlers } = runtime.services;
    this.#play = {
      clock,
      calls: [],
      scripts: new Map(Object.entries(scripts ?? {}).map(([name, s]) => [name, new ReplyScript(s)])),
    };
    const integration = httpInvokeIntegration(localConnections(this.connections));
    taskHandlers[HTTP_INVOKE_RESOURCE] = recorded(activity, this.#paired(integration), () => clock.now());
  }

  /** The calls of the scenario being played, in the order they arrived. */
  get calls(): readonly WebhookCall[] {
    return this.#play?.calls ?? [];
  }

  close(): Promise<void> {
    return closeServer(this.#server);
  }

  #paired(integration: LocalTaskHandler): LocalTaskHandler {
    return async (input, call) => {
      const id = String(this.#sequence++);
      const parsed = WithHeaders.safeParse(input);
      if (!parsed.success) return integration(input, call);
      this.#pending.set(id, call);
      try {
        return await integration(
          { ...parsed.data, Headers: { ...parsed.data.Headers, [CALL_HEADER]: id } },
          call,
        );
      } finally {
        this.#pending.delete(id);
      }
    };
  }

  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const [, connection = '', ...rest] = url.pathname.split('/');
    const request: WebhookRequest = {
      method: req.method ?? 'GET',
      path: `/${rest.join('/')}`,
      body: await bodyOf(req),
    };
    const call = this.#pending.get(String(req.headers[CALL_HEADER]));
    const play = this.#play;
    if (play === undefined || call === undefined) return void res.writeHead(500).end();
    const now = () => new Date(play.clock.nowMs()).toISOString();
    const at = now();
    const record = (outcome: string, refused = false) =>
      play.calls.push({ connection, ...request, at, outcome, endedAt: now(), refused });
    if (req.headers[CREDENTIAL_HEADER] !== this.#credential) {
      record('401: the call did not carry the connection’s credential', true);
      return void res.writeHead(401).end();
    }
    const picked = play.scripts.get(connection)?.pick(request);
    if (picked === undefined) {
      record(`501: no scripted reply in webhooks.${connection}`, true);
      return void res.writeHead(501).end();
    }
    await reply(picked, call, play.clock, res, record);
  }
}

/** Answers a call as scripted, on the journey clock. */
async function reply(
  { reply }: Picked,
  call: TaskCall,
  clock: JourneyClock,
  res: ServerResponse,
  record: (outcome: string) => void,
): Promise<void> {
  if ('fail' in reply && reply.fail === 'connection') {
    record('connection broken');
    return void res.destroy();
  }
  // A slow endpoint: the execution's hold on time is lifted until it answers or its Task gives up.
  if ('fail' in reply) await call.parked?.(new Promise<void>(() => undefined));
  else if (reply.delay !== undefined) {
    // Keyed like the Task's own timeout: an answer due at the very instant of the timeout is too late.
    const key = `${call.executionName}/${call.stateName}`;
    await call.parked?.(clock.sleep(resolveWhen(`+${reply.delay}`, 0), call.ended, key));
  }
  if ('fail' in reply || call.ended?.aborted === true) {
    record('timed out');
    return void res.destroy();
  }
  record(String(reply.status));
  res.writeHead(reply.status, { 'content-type': 'application/json' });
  res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.from(chunk);
    size += buffer.byteLength;
    if (size > MAX_REQUEST_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
