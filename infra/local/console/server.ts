import { readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { isSchemaFile } from '#infra/cli/files.ts';
import { JourneyChecker, type LocatedViolation } from '#infra/cli/journey-files.ts';
import { CUSTOMER_EVENT_SOURCE } from '#shared/events.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { escapeHtml, reportBody } from '#shared/stats/html.ts';
import { buildReport } from '#shared/stats/report.ts';
import { PROFILES_TABLE } from '#shared/tables.ts';
import { readExperiments, readJourneyStats } from '../inspect/results.ts';
import { readEmittedEvents, readSentMessages } from '../inspect/sent.ts';
import { readTrace } from '../inspect/trace.ts';
import { traceView } from '../inspect/trace-view.ts';
import { withData } from '../runtime/data.ts';
import { decodedSegment } from '../runtime/http.ts';
import {
  customerHref,
  customerPage,
  customersIndex,
  type JourneyRow,
  journeysIndex,
  messagesPage,
  page,
  type Section,
} from './pages.ts';

/**
 * The local console (`npm start` serves it on one port): the journeys with
 * their report and live counts, a customer's trace, and what was sent. It
 * reads through the same code as `journeys report` and `journeys trace`.
 */

export type ConsoleSources = {
  dataDir: string;
  journeysDir: string;
  endpoints: { dynamodb: string; sfn: string; ses: string };
  /** Journey time, shown on every page. */
  now: () => Date;
};

/** At most this many customers are listed (any other opens by its id). */
const MAX_LISTED_CUSTOMERS = 500;

/** A file of the journeys folder: its journey, or the first problem that keeps the deploy from taking it. */
type JourneyFile =
  | { file: string; id: string; journey: Journey }
  | { file: string; id: string; problem: string };

/**
 * The journey files of the folder, each checked as `journeys validate` checks it (the language, the
 * templates beside it, the id its file name gives). One that does not check is listed with its first
 * problem: its edit did not deploy, and the version live before it runs on.
 */
async function journeyFiles(dir: string): Promise<JourneyFile[]> {
  const names = (await readdir(dir).catch(() => []))
    .filter((n) => n.endsWith('.json') && !isSchemaFile(n))
    .sort();
  const checker = new JourneyChecker();
  const out: JourneyFile[] = [];
  for (const file of names) {
    const id = basename(file, '.json');
    const report = await checker.check(join(dir, file));
    const first = report.violations[0] ?? report.warnings?.find((w) => w.code === 'id.file-name');
    if (report.journey !== undefined && first === undefined) out.push({ file, id, journey: report.journey });
    else out.push({ file, id, problem: first === undefined ? 'not valid' : problemText(first) });
  }
  return out;
}

/** A problem as `journeys validate` names it: where in the file, then what. */
function problemText(v: LocatedViolation): string {
  const at = v.line === undefined ? v.path : `${v.path} (line ${v.line}:${v.column})`;
  return `${at}: ${v.message}`;
}

/** The journeys the folder deploys. */
async function journeys(dir: string): Promise<Journey[]> {
  return (await journeyFiles(dir)).flatMap((f) => ('journey' in f ? [f.journey] : []));
}

/** The journey's report from what `journeys report` reads: its counters and its experiments' recorded state. */
async function report(sources: ConsoleSources, journey: Journey) {
  const local = { kind: 'local' as const, dataDir: sources.dataDir, endpoint: sources.endpoints.dynamodb };
  const { counters, days, retired } = await readJourneyStats(local, journey.id);
  return buildReport(journey, counters, days, await readExperiments(local, journey.id), retired);
}

const UserIds = z.array(z.object({ userId: z.string() }).loose());

async function customerIds(sources: ConsoleSources): Promise<{ ids: string[]; capped: boolean }> {
  const local = { kind: 'local' as const, dataDir: sources.dataDir, endpoint: sources.endpoints.dynamodb };
  return withData(local, async ({ doc, table }) => {
    const out = await doc.send(
      new ScanCommand({
        TableName: table(PROFILES_TABLE),
        ProjectionExpression: 'userId',
        Limit: MAX_LISTED_CUSTOMERS,
      }),
    );
    const ids = UserIds.parse(out.Items ?? []).map((i) => i.userId);
    return { ids: ids.sort(), capped: out.LastEvaluatedKey !== undefined };
  });
}

type Route = { section: Section; title: string; body: string } | { redirect: string } | undefined;

/** A path segment decoded, or undefined when its escapes are malformed (a link cut short): not found, not an error. */
function decoded(segment: string | undefined): string | undefined {
  return segment === undefined ? undefined : decodedSegment(segment);
}

async function route(sources: ConsoleSources, url: URL): Promise<Route> {
  const path = url.pathname;
  if (path === '/') {
    const rows: JourneyRow[] = [];
    for (const f of await journeyFiles(sources.journeysDir))
      rows.push(
        'journey' in f
          ? { id: f.id, name: f.journey.name, enrolled: (await report(sources, f.journey)).enrolled }
          : { id: f.id, file: f.file, problem: f.problem },
      );
    return { section: 'journeys', title: 'Journeys', body: journeysIndex(rows) };
  }
  const journeyPath = /^\/journeys\/([^/]+)$/.exec(path)?.[1];
  if (journeyPath !== undefined) {
    const id = decoded(journeyPath);
    if (id === undefined) return undefined;
    const journey = (await journeys(sources.journeysDir)).find((j) => j.id === id);
    if (journey === undefined) return undefined;
    return { section: 'journeys', title: journey.name, body: reportBody(await report(sources, journey)) };
  }
  if (path === '/customers') {
    const asked = url.searchParams.get('id');
    if (asked) {
      const href = customerHref(asked);
      // A dot-segment id has no path of its own: its page is served here.
      return href.startsWith('/customers?') ? customerRoute(sources, asked) : { redirect: href };
    }
    const { ids, capped } = await customerIds(sources);
    return { section: 'customers', title: 'Customers', body: customersIndex(ids, capped) };
  }
  const customerPath = /^\/customers\/([^/]+)$/.exec(path)?.[1];
  if (customerPath !== undefined) {
    const customer = decoded(customerPath);
    return customer === undefined ? undefined : customerRoute(sources, customer);
  }
  if (path === '/messages') {
    const sent = await readSentMessages(sources.dataDir, sources.endpoints.ses);
    const emitted = await readEmittedEvents(sources.dataDir, CUSTOMER_EVENT_SOURCE);
    return { section: 'messages', title: 'Sent messages', body: messagesPage(sent, emitted) };
  }
  return undefined;
}

async function customerRoute(sources: ConsoleSources, userId: string): Promise<Route> {
  const trace = await readTrace(
    {
      kind: 'local',
      dataDir: sources.dataDir,
      endpoint: sources.endpoints.dynamodb,
      sfnEndpoint: sources.endpoints.sfn,
    },
    userId,
  );
  const byId = new Map((await journeys(sources.journeysDir)).map((j) => [j.id, j]));
  const sent = await readSentMessages(sources.dataDir, sources.endpoints.ses);
  return {
    section: 'customers',
    title: userId,
    body: customerPage(traceView(trace, byId, sent, sources.now())),
  };
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    // Nothing on these pages runs script or loads from elsewhere; email HTML stays in its sandbox.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'",
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

/**
 * `/api/journeys/<id>`: the journey's report as `journeys report --json`
 * prints it, for a script reading the figures the page shows.
 */
async function reportJson(sources: ConsoleSources, url: URL): Promise<string | undefined> {
  const segment = /^\/api\/journeys\/([^/]+)$/.exec(url.pathname)?.[1];
  const id = decoded(segment);
  if (id === undefined) return undefined;
  const journey = (await journeys(sources.journeysDir)).find((j) => j.id === id);
  return journey === undefined ? undefined : JSON.stringify(await report(sources, journey));
}

function sendJson(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-content-type-options': 'nosniff',
  });
  res.end(json);
}

async function handle(sources: ConsoleSources, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const now = sources.now().toISOString();
  const url = new URL(req.url ?? '/', 'http://console');
  const api = url.pathname.startsWith('/api/');
  try {
    if (req.method !== 'GET') return send(res, 405, page('Not allowed', 'journeys', now, '<p>GET only.</p>'));
    if (api) {
      const json = await reportJson(sources, url);
      return sendJson(res, json === undefined ? 404 : 200, json ?? JSON.stringify({ error: 'not found' }));
    }
    const found = await route(sources, url);
    if (found === undefined) return send(res, 404, page('Not found', 'journeys', now, '<p>Not found.</p>'));
    if ('redirect' in found) {
      res.writeHead(302, { location: found.redirect });
      res.end();
      return;
    }
    send(res, 200, page(found.title, found.section, now, found.body));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (api) return sendJson(res, 500, JSON.stringify({ error: `could not read: ${message}` }));
    send(res, 500, page('Error', 'journeys', now, `<p>Could not read: ${escapeHtml(message)}</p>`));
  }
}

export function createConsoleServer(sources: ConsoleSources): Server {
  return createServer((req, res) => {
    void handle(sources, req, res);
  });
}
