import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConsole } from '../../support/console-server.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * A journey file the deploy does not take (being edited, a mistake) stays in
 * the console's list, marked not valid with its first problem, escaped as all
 * the console prints: the live version runs on, and the marketer sees why the
 * edit did not take. The JSON Schema that sits among the journeys is no journey.
 */

const journey = (id: string, more: Record<string, unknown> = {}) => ({
  id,
  name: `Journey ${id}`,
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'done',
  steps: { done: { type: 'exit' } },
  ...more,
});

let db: LocalDynamo;
let dir: string;

beforeAll(async () => {
  db = await startDynalite('journeys');
  dir = await mkdtemp(join(tmpdir(), 'console-invalid-journeys-'));
  await mkdir(join(dir, 'templates'));
  const files: Record<string, string> = {
    'good.json': JSON.stringify(journey('good')),
    // A step type the language does not have, written to break out of the page: the problem quotes it.
    'dangling.json': JSON.stringify(
      journey('dangling', {
        start: 'hello',
        steps: { hello: { type: '<script>x</script>', next: 'done' }, done: { type: 'exit' } },
      }),
    ),
    'cut-short.json': '{"id": "cut-short", "name": ',
    'no-template.json': JSON.stringify(
      journey('no-template', {
        start: 'hello',
        steps: { hello: { type: 'email', template: 'missing-one', next: 'done' }, done: { type: 'exit' } },
      }),
    ),
    'renamed.json': JSON.stringify(journey('other-id')),
    'journey.schema.json': JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema' }),
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
});
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Each row of the journey list: its id, whether marked not valid, and the problem shown. */
function rowsOf(index: string): Map<string, { invalid: boolean; problem?: string; html: string }> {
  const rows = [...index.matchAll(/<tr data-journey="([^"]*)"( data-invalid)?>(.*?)<\/tr>/g)];
  return new Map(
    rows.map((m) => [
      m[1] ?? '',
      {
        invalid: m[2] !== undefined,
        problem: /<p class="note" data-problem>(.*?)<\/p>/.exec(m[3] ?? '')?.[1],
        html: m[3] ?? '',
      },
    ]),
  );
}

describe('the local console: journey files the deploy does not take', () => {
  it('lists every journey file, a valid one linked to its report, the others marked not valid with their first problem', async () => {
    await withConsole(dir, db.endpoint, async (base) => {
      // act
      const rows = rowsOf(await (await fetch(`${base}/`)).text());
      // assert
      expect([...rows.keys()]).toEqual(['cut-short', 'dangling', 'good', 'no-template', 'renamed']);
      expect(rows.get('good')).toMatchObject({ invalid: false });
      expect(rows.get('good')?.html).toContain('<a href="/journeys/good">Journey good</a>');
      for (const id of ['cut-short', 'dangling', 'no-template', 'renamed']) {
        expect(rows.get(id)?.invalid).toBe(true);
        expect(rows.get(id)?.html).toContain(`${id}.json <span class="tag">not valid</span>`);
        expect(rows.get(id)?.html).not.toContain('<a ');
      }
      expect(rows.get('no-template')?.problem).toMatch(
        /^steps\.hello\.template \(line \d+:\d+\): .*missing-one/,
      );
      expect(rows.get('renamed')?.problem).toMatch(/^id \(line 1:\d+\): .*journeys\/other-id\.json/);
      expect(rows.get('cut-short')?.problem).toMatch(/^\(file\): .+/);
    });
  });

  it('shows a problem quoting the file escaped, never as markup', async () => {
    await withConsole(dir, db.endpoint, async (base) => {
      // act
      const index = await (await fetch(`${base}/`)).text();
      const problem = rowsOf(index).get('dangling')?.problem ?? '';
      // assert
      expect(problem).toContain('got the string &#34;&#60;script&#62;x&#60;/script&#62;&#34;');
      expect(index).not.toContain('<script>');
    });
  });

  it('opens no report of a file that is not valid', async () => {
    await withConsole(dir, db.endpoint, async (base) => {
      // act
      const page = await fetch(`${base}/journeys/dangling`);
      const api = await fetch(`${base}/api/journeys/dangling`);
      // assert
      expect(page.status).toBe(404);
      expect(api.status).toBe(404);
    });
  });
});
