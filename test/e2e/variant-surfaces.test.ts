import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { readExperiments, readJourneyStats } from '#infra/local/inspect/results.ts';
import { readSentMessages } from '#infra/local/inspect/sent.ts';
import { readTrace } from '#infra/local/inspect/trace.ts';
import { traceView } from '#infra/local/inspect/trace-view.ts';
import { Journey } from '#shared/journey/schema.ts';
import { buildReport, type JourneyReport } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';
import { htmlRows, textRows } from '../support/variant-rows.ts';
import {
  boot,
  E2E_TIMEOUT,
  eventsClient,
  identify,
  putEvents,
  quiesce,
  type Sandbox,
  sandbox,
  sentEmails,
  track,
} from './support/local-runtime.ts';

/**
 * One run of a journey with a three-way split, a variant never drawn and a
 * holdout, re-deployed halfway with other weights, read on every surface a
 * marketer has: `journeys report`, the console's journey page and each
 * customer's `journeys trace`. Each must tell what happened — which variant
 * a customer got is known from the email it received (none for the
 * holdout), and who converted from the orders sent.
 */

const ID = 'offer';
const SUBJECTS: Record<string, string> = {
  welcome: 'Welcome to',
  tips: '3 tips',
  nudge: 'your photos deserve',
};
const LABELS = ['welcome', 'tips', 'nudge', 'never', 'control (holdout)'] as const;

function offer(weights: readonly [number, number, number, number]) {
  const email = (template: string) => ({ type: 'email', template, next: 'done' });
  return {
    id: ID,
    name: 'Offer',
    trigger: { type: 'event', event: 'Signed Up' },
    goal: { event: 'Bought', within: 'P7D' },
    settings: { defaultTimezone: 'UTC' },
    start: 'ab',
    steps: {
      ab: {
        type: 'split',
        variants: [
          { name: 'welcome', weight: weights[0], next: 'welcome-email' },
          { name: 'tips', weight: weights[1], next: 'tips-email' },
          { name: 'nudge', weight: weights[2], next: 'nudge-email' },
          { name: 'never', weight: 0, next: 'done' },
          { name: 'control', weight: weights[3], next: 'done', holdout: true },
        ],
      },
      'welcome-email': email('welcome'),
      'tips-email': email('welcome-tips'),
      'nudge-email': email('welcome-nudge-email'),
      done: { type: 'exit' },
    },
  };
}

/**
 * Customers signed up under the first version, then under the second. The
 * draw is a hash of the customer id: these 48 are the fewest of this naming
 * that give each version every variant drawn, each with a customer who
 * bought and one who did not (the 16 kinds the traces check below).
 */
const FIRST = Array.from({ length: 24 }, (_, i) => `v1-${String(i).padStart(3, '0')}`);
const SECOND = Array.from({ length: 24 }, (_, i) => `v2-${String(i).padStart(3, '0')}`);
/** Every second customer orders, after the second version is deployed. */
const BUYERS = new Set([...FIRST, ...SECOND].filter((_, i) => i % 2 === 0));

let box: Sandbox;
let runtime: LocalRuntime;

async function signUp(ids: readonly string[]): Promise<void> {
  const client = eventsClient(runtime);
  try {
    await putEvents(
      runtime,
      ids.map((id) => identify(id, 'Etc/GMT')),
      client,
    );
    await runtime.settled();
    await putEvents(
      runtime,
      ids.map((id) => track(id, 'Signed Up', {})),
      client,
    );
    await quiesce(runtime);
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  box = await sandbox([], { templates: ['welcome', 'welcome-tips', 'welcome-nudge-email'] });
  await writeFile(join(box.journeysDir, `${ID}.json`), JSON.stringify(offer([30, 30, 30, 10])));
  runtime = await boot(box, { inMemory: true });
  await signUp(FIRST);
  // Version 2 draws with other weights: a bucket of version 1 names another variant under them.
  await writeFile(join(box.journeysDir, `${ID}.json`), JSON.stringify(offer([10, 30, 40, 20])));
  await runtime.deployAll();
  await signUp(SECOND);
  await putEvents(
    runtime,
    [...BUYERS].map((id) => track(id, 'Bought', {})),
  );
  await quiesce(runtime);
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

/** Which variant each customer got, from the email it received: none is the holdout. */
async function whatHappened(): Promise<Map<string, string>> {
  const emails = await sentEmails(runtime);
  const got = new Map<string, string>();
  for (const id of [...FIRST, ...SECOND]) {
    const mine = emails.filter((e) => e.destination.to.includes(`${id}@example.com`));
    expect({ id, emails: mine.length <= 1 }).toStrictEqual({ id, emails: true });
    const subject = mine[0]?.subject;
    const variant = Object.keys(SUBJECTS).find((v) => subject?.includes(SUBJECTS[v] ?? '') === true);
    got.set(id, subject === undefined ? 'control (holdout)' : (variant ?? `? ${subject}`));
  }
  return got;
}

/** The rows every surface should print: counted from what happened. */
function expectedRows(got: ReadonlyMap<string, string>) {
  return LABELS.map((label) => {
    const ids = [...got].filter(([, v]) => v === label).map(([id]) => id);
    const converted = ids.filter((id) => BUYERS.has(id)).length;
    const rate = ids.length === 0 ? '—' : `${((100 * converted) / ids.length).toFixed(1)}%`;
    return { label, assigned: String(ids.length), converted: String(converted), rate };
  });
}

async function report() {
  const source = { kind: 'local' as const, dataDir: box.dataDir, endpoint: runtime.endpoints.dynamodb };
  const journey = Journey.parse(offer([10, 30, 40, 20]));
  const { counters, days, retired } = await readJourneyStats(source, ID);
  return buildReport(journey, counters, days, await readExperiments(source, ID), retired);
}

/** The variant figures of the console's JSON (`/api/journeys/<id>`), labelled as the tables label them. */
async function consoleJson(): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${runtime.endpoints.console}/api/journeys/${ID}`);
  const json = (await res.json()) as JourneyReport;
  const variants = json.splits.find((x) => x.stepId === 'ab')?.variants ?? [];
  return LABELS.map((label) => {
    const v = variants.find((x) => (x.holdout ? `${x.name} (holdout)` : x.name) === label);
    return { label, assigned: String(v?.assigned), converted: String(v?.converted) };
  });
}

/** One customer per version, variant and whether it bought: each kind of line a trace can print. */
function sampleOf(got: ReadonlyMap<string, string>): string[] {
  const seen = new Map<string, string>();
  for (const [id, label] of got) {
    const kind = `${id.slice(0, 2)} ${label} ${BUYERS.has(id)}`;
    if (!seen.has(kind)) seen.set(kind, id);
  }
  return [...seen.values()];
}

describe('per-variant figures of a run with a re-deploy', () => {
  it('the report, the console page and its JSON print the variants as counted from what was sent and bought', async () => {
    // arrange
    const expected = expectedRows(await whatHappened());
    // act
    const text = textRows(reportText(await report()), LABELS);
    const page = await (await fetch(`${runtime.endpoints.console}/journeys/${ID}`)).text();
    const json = await consoleJson();
    // assert
    expect({ surface: 'report', rows: text }).toStrictEqual({ surface: 'report', rows: expected });
    expect({ surface: 'console', rows: htmlRows(page, LABELS) }).toStrictEqual({
      surface: 'console',
      rows: expected,
    });
    expect({ surface: 'api', rows: json }).toStrictEqual({
      surface: 'api',
      rows: expected.map(({ rate: _, ...figures }) => figures),
    });
  });

  it('the console answers a journey it does not know with 404, as JSON', async () => {
    const res = await fetch(`${runtime.endpoints.console}/api/journeys/nope`);
    expect([res.status, res.headers.get('content-type'), await res.json()]).toStrictEqual([
      404,
      'application/json; charset=utf-8',
      { error: 'not found' },
    ]);
  });

  it("each customer's trace names the variant it got, the email it got and whether it converted", async () => {
    // arrange
    const got = await whatHappened();
    const journeys = new Map([[ID, Journey.parse(offer([10, 30, 40, 20]))]]);
    const sent = await readSentMessages(box.dataDir, runtime.endpoints.ses);
    const source = {
      kind: 'local' as const,
      dataDir: box.dataDir,
      endpoint: runtime.endpoints.dynamodb,
      sfnEndpoint: runtime.endpoints.sfn,
    };
    const sample = sampleOf(got);
    // Both versions, the three variants drawn and the holdout, each bought and not.
    expect(sample.length).toBe(2 * 4 * 2);
    for (const id of sample) {
      // act
      const view = traceView(await readTrace(source, id), journeys, sent, runtime.services.clock.now());
      // assert
      const [block] = view.blocks;
      const lines = block?.lines.map((l) => l.text) ?? [];
      const variant = /^ab: variant (\S+)( \(holdout\))?/.exec(lines[0] ?? '');
      const told = {
        id,
        blocks: view.blocks.length,
        variant: variant === null ? lines[0] : `${variant[1]}${variant[2] ?? ''}`,
        emails: lines.filter((l) => l.includes('sent')).length,
        converted: block?.ending.includes('converted') === true,
      };
      const label = got.get(id) ?? '';
      expect(told).toStrictEqual({
        id,
        blocks: 1,
        variant: label,
        emails: label === 'control (holdout)' ? 0 : 1,
        converted: BUYERS.has(id),
      });
    }
  });
});
