import { copyFile, readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { closeServer } from '#infra/local/runtime/listen.ts';
import {
  boot,
  E2E_TIMEOUT,
  executionsOf,
  identify,
  putEvents,
  quiesce,
  type Sandbox,
  sandbox,
  sentEmails,
  track,
  untilEachEnded,
} from './support/local-runtime.ts';

/**
 * The loyalty-crm example end to end: the local runtime deploys it against a
 * `crm` connection whose calls go to a loopback server standing for the CRM.
 * The CRM's answer sets the context the next branch reads; a CRM that keeps
 * failing is retried, then the journey takes its error route; the credential
 * reaches the CRM and nothing the runtime keeps.
 */

const JOURNEY = 'loyalty-crm';
const EXAMPLE = new URL(`../../journeys/examples/${JOURNEY}.json`, import.meta.url);
const SECRET = 'crm-api-key-do-not-log';

type Call = { path: string; apiKey: string | undefined; source: string | undefined; body: unknown };
const calls: Call[] = [];

/** What the CRM answers for each order: gold, silver, or failing on its side every time. */
function answer(orderId: unknown): { status: number; body: unknown } {
  if (orderId === 'o-gold')
    return { status: 200, body: { customer: { tier: 'gold' }, reward: { coupon: 'GOLD-7Q2' } } };
  if (orderId === 'o-silver') return { status: 200, body: { customer: { tier: 'silver' } } };
  return { status: 503, body: { error: 'maintenance' } };
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
}

function startCrm(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    calls.push({
      path: req.url ?? '',
      apiKey: req.headers['x-api-key']?.toString(),
      source: req.headers['x-source']?.toString(),
      body,
    });
    const orderId = typeof body === 'object' && body !== null && 'orderId' in body ? body.orderId : undefined;
    const reply = answer(orderId);
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let box: Sandbox;
let crm: Server;
let runtime: LocalRuntime;

const order = (who: string) =>
  track(who, 'Order Completed', { orderId: `o-${who}`, total: 42.5, currency: 'EUR' });

beforeAll(async () => {
  crm = await startCrm();
  const port = (crm.address() as AddressInfo).port;
  box = await sandbox([], { templates: ['loyalty-reward'] });
  await copyFile(EXAMPLE, join(box.journeysDir, `${JOURNEY}.json`));
  runtime = await boot(box, {
    connections: new Map([
      [
        'crm',
        {
          baseUrl: 'https://crm.example.com/v1',
          target: `http://127.0.0.1:${port}/crm`,
          auth: { type: 'apiKey', header: 'x-api-key', value: SECRET },
        },
      ],
    ]),
  });
  await putEvents(
    runtime,
    ['gold', 'silver', 'down'].map((who) => identify(who, 'Etc/GMT')),
  );
  await runtime.settled();
  await putEvents(runtime, ['gold', 'silver', 'down'].map(order));
  await untilEachEnded(
    runtime,
    ['gold', 'silver', 'down'].map((userId) => ({ journeyId: JOURNEY, userId })),
  );
  await quiesce(runtime);
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await closeServer(crm);
  await box?.remove();
});

describe('webhook step, locally against a loopback CRM', () => {
  it("calls the connection's endpoint with its credential and the values the journey sends", () => {
    const gold = calls.filter((c) => JSON.stringify(c.body).includes('o-gold'));
    expect(gold).toEqual([
      {
        path: '/crm/orders',
        apiKey: SECRET,
        source: 'journeys',
        body: { orderId: 'o-gold', total: 42.5, kind: 'order' },
      },
    ]);
  });

  it('branches on the response: only the gold customer gets the email, with the coupon the CRM issued', async () => {
    const gold = await sentEmails(runtime, 'gold@example.com');
    expect(gold).toHaveLength(1);
    expect(gold[0]?.body.text).toContain('GOLD-7Q2');
    expect(gold[0]?.body.text).toContain('o-gold');
    expect(await sentEmails(runtime, 'silver@example.com')).toEqual([]);
  });

  it('retries a failing CRM three times, then ends the enrollment on its error route without emailing', async () => {
    expect(calls.filter((c) => JSON.stringify(c.body).includes('o-down'))).toHaveLength(4);
    expect(await sentEmails(runtime, 'down@example.com')).toEqual([]);
    const [run] = await executionsOf(runtime, JOURNEY, 'down');
    expect(run?.status).toBe('SUCCEEDED');
  });

  it('keeps the credential out of everything the runtime writes', async () => {
    const files = await readdir(box.dataDir, { recursive: true, withFileTypes: true });
    const texts = await Promise.all(
      files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'latin1')),
    );
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.filter((text) => text.includes(SECRET))).toEqual([]);
    expect(JSON.stringify(runtime.env)).not.toContain(SECRET);
  });
});
