import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

let dir: string;

const journey = (id: string, start = 'done') =>
  JSON.stringify({
    id,
    name: id,
    trigger: { type: 'event', event: 'Signed Up' },
    start,
    steps: { done: { type: 'exit' } },
  });

beforeAll(async () => {
  // arrange: a journeys folder as the deploy reads it, with a broken journey, a schema and subfolders
  dir = await mkdtemp(join(tmpdir(), 'journeys-validate-folders-'));
  const journeys = join(dir, 'journeys');
  await mkdir(join(journeys, 'templates'), { recursive: true });
  await mkdir(join(journeys, 'tests'), { recursive: true });
  await writeFile(join(journeys, 'welcome.json'), journey('welcome'));
  await writeFile(join(journeys, 'broken.json'), journey('broken', 'nowhere'));
  await writeFile(join(journeys, 'journey.schema.json'), '{"type": "object"}');
  await writeFile(join(journeys, 'tests', 'welcome.test.json'), '{"scenarios": []}');
  await writeFile(join(journeys, 'README.md'), 'notes');
  await mkdir(join(dir, 'empty'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('journeys validate given a folder', () => {
  it("checks the folder's journey files, as a deploy of it reads them, and fails on a broken one", async () => {
    // act
    const result = await runCli(['validate', '--json', join(dir, 'journeys')]);
    // assert
    expect(result.code).toBe(1);
    const report: { files: { file: string; ok: boolean }[] } = JSON.parse(result.stdout);
    expect(report.files.map((f) => [f.file.replace(`${dir}/`, ''), f.ok])).toEqual([
      ['journeys/broken.json', false],
      ['journeys/welcome.json', true],
    ]);
  });

  it('names a folder with no journey file in it rather than passing it as checked', async () => {
    const result = await runCli(['validate', join(dir, 'empty')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('is a folder with no journey file (<id>.json) in it');
  });
});
