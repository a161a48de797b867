import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConsole } from '../../support/console-server.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * The console lists the journeys the deploy takes: one saved with a UTF-8
 * byte order mark (as some Windows editors save) is deployed, so the console
 * shows it too, where it went missing from the list and its page.
 */

const JOURNEY = {
  id: 'bom-journey',
  name: 'Saved on Windows',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'done',
  steps: { done: { type: 'exit' } },
};

let db: LocalDynamo;
let dir: string;

beforeAll(async () => {
  db = await startDynalite('journeys');
  dir = await mkdtemp(join(tmpdir(), 'console-journey-files-'));
  await writeFile(join(dir, `${JOURNEY.id}.json`), `\uFEFF${JSON.stringify(JOURNEY)}`);
});
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the local console: the journeys of the folder', () => {
  it('include a journey file saved with a byte order mark, as the deploy reads it', async () => {
    // arrange
    await withConsole(dir, db.endpoint, async (root) => {
      // act
      const index = await (await fetch(`${root}/`)).text();
      const report = await fetch(`${root}/api/journeys/${JOURNEY.id}`);
      // assert
      expect(index).toContain(`<tr data-journey="${JOURNEY.id}">`);
      expect(report.status).toBe(200);
      expect(((await report.json()) as { name?: string }).name).toBe(JOURNEY.name);
    });
  });
});
