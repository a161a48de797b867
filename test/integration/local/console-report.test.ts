import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { customersIndex } from '#infra/local/console/pages.ts';
import { experimentStates } from '#shared/ingest/experiments.ts';
import { liveFields } from '#shared/ingest/live-journey.ts';
import { Journey } from '#shared/journey/schema.ts';
import { withConsole } from '../../support/console-server.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * The console's journey page reads what `journeys report` reads: the
 * counters and the recorded state of the journey's experiments, so an
 * experiment that ended shows its winner there too.
 */

const DEPLOYED = '2026-11-01T00:00:00.000Z';
const INPUT = {
  id: 'exp-console',
  name: 'Experiment in the console',
  trigger: { type: 'event', event: 'Go' },
  goal: { event: 'Buy', within: 'P7D' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'a', weight: 50, next: 'done' },
        { name: 'b', weight: 50, next: 'done' },
      ],
      experiment: { metric: 'goal', minSample: 100, until: 'significant' },
    },
    done: { type: 'exit' },
  },
};

let db: LocalDynamo;
let dir: string;

beforeAll(async () => {
  db = await startDynalite('journeys');
  dir = await mkdtemp(join(tmpdir(), 'console-report-'));
  await writeFile(join(dir, `${INPUT.id}.json`), JSON.stringify(INPUT));
  const journey = Journey.parse(INPUT);
  const arn = `arn:aws:states:us-east-1:123456789012:stateMachine:journey-${journey.id}`;
  const [state] = experimentStates(journey, '1', DEPLOYED);
  if (state === undefined) throw new Error('no experiment');
  const decision = { winner: 'b', at: '2026-11-03T00:00:00.000Z', reason: 'b converts better' };
  await new RegistryRepository(db.doc, db.tables.journeys).putDeployed(
    {
      ...liveFields(journey),
      experiments: [{ ...state, decision }],
      version: '1',
      versionArn: `${arn}:1`,
      aliasArn: `${arn}:live`,
      stateMachineArn: arn,
      sourceKey: `journeys/${journey.id}.json`,
      deployedAt: DEPLOYED,
    },
    undefined,
  );
  await new StatsRepository(db.doc, db.tables.stats).increment(
    { journeyId: journey.id, version: '1', metric: 'enrolled' },
    3,
  );
});
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the local console: a journey page', () => {
  it('shows how its experiment ended, as the report does', async () => {
    // arrange
    await withConsole(dir, db.endpoint, async (root) => {
      // act
      const response = await fetch(`${root}/journeys/${INPUT.id}`);
      const html = await response.text();
      // assert
      expect(response.status).toBe(200);
      expect(html).toContain('ended 2026-11-03T00:00:00.000Z — winner b: b converts better');
      expect(html).not.toContain('since version -');
    });
  });

  it("opens every customer's page from the customers list, also one whose id is a dot segment", async () => {
    // arrange: ids a browser would read as part of the address ("..": the folder above)
    await withConsole(dir, db.endpoint, async (root) => {
      const base = `${root}/customers`;
      const opened: string[] = [];
      for (const id of ['..', '.', 'a/b', 'ana?x#y', '%2F']) {
        // act: follow the link as a browser resolves it
        const href = /href="([^"]+)"/.exec(customersIndex([id], false))?.[1]?.replaceAll('&#38;', '&') ?? '';
        const response = await fetch(new URL(href, base));
        const html = await response.text();
        opened.push(/<h1 data-customer-id>([^<]*)<\/h1>/.exec(html)?.[1] ?? `${response.status} ${href}`);
      }
      // assert
      expect(opened).toEqual(['..', '.', 'a/b', 'ana?x#y', '%2F']);
    });
  });

  it('answers a malformed or unknown address with Not found, not an error', async () => {
    // arrange
    await withConsole(dir, db.endpoint, async (root) => {
      // act: a cut-off escape (a link pasted half), and a journey that is not in the folder
      const statuses = [];
      for (const path of ['/journeys/%E0%A4%A', '/customers/%ZZ', '/journeys/no-such-journey'])
        statuses.push((await fetch(`${root}${path}`)).status);
      // assert
      expect(statuses).toEqual([404, 404, 404]);
    });
  });
});
