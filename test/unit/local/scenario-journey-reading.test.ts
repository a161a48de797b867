import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allJourneys, readJourney } from '#infra/local/scenarios/journey-files.ts';
import { loadScenarios, referenceProblems } from '#infra/local/scenarios/load.ts';

/**
 * `journeys test` reads journey and scenario files as `journeys validate` and
 * the deploy read them: a file saved with a byte order mark is the journey it
 * holds, and a folder named like a file, bytes that are not UTF-8, a syntax
 * error and a file too large are each named in words, with the file — never
 * as a system error code, the bytes themselves echoed to the terminal, or the
 * whole file read into memory.
 */

let dir: string;
const JOURNEY = {
  id: 'welcome',
  name: 'Welcome',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'done',
  steps: { done: { type: 'exit' } },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-journey-reading-'));
  await writeFile(join(dir, 'bom.json'), `\uFEFF${JSON.stringify({ ...JOURNEY, id: 'bom' })}`);
  await mkdir(join(dir, 'folder.json'));
  await mkdir(join(dir, 'tests'));
  // Latin-1 bytes (an "é" saved by an old editor), with a control character after them.
  await writeFile(
    join(dir, 'latin1.json'),
    Buffer.from([0x7b, 0x22, 0xe9, 0x1b, 0x5b, 0x32, 0x4a, 0x22, 0x7d]),
  );
  await writeFile(join(dir, 'syntax.json'), '{\n  "id": "syntax",\n  "name": "Syntax",\n}\n');
  await writeFile(join(dir, 'huge.json'), '');
  await truncate(join(dir, 'huge.json'), 5 * 1024 * 1024);
  await writeFile(join(dir, 'welcome.json'), JSON.stringify(JOURNEY));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function problemOf(id: string): Promise<string> {
  return readJourney(dir, id).then(
    () => 'read',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

describe("a scenario's journey file", () => {
  it('saved with a UTF-8 byte order mark is the journey it holds, as the deploy reads it', async () => {
    // act
    const journey = await readJourney(dir, 'bom');
    // assert
    expect(journey.id).toBe('bom');
  });

  it('that is a folder, is not UTF-8, does not parse or is too large is named in words with the file', async () => {
    // act
    const problems = {
      folder: await problemOf('folder'),
      latin1: await problemOf('latin1'),
      syntax: await problemOf('syntax'),
      huge: await problemOf('huge'),
    };
    // assert
    expect(problems).toStrictEqual({
      folder: `${join(dir, 'folder.json')}: is a folder, not a file`,
      latin1: `${join(dir, 'latin1.json')}: not UTF-8 text (near byte 3, line 1): save it as UTF-8`,
      syntax: `${join(dir, 'syntax.json')}: not valid JSON: Expected double-quoted property name at line 4, column 1`,
      huge: `${join(dir, 'huge.json')}: is 5.0 MB; a file read here can be at most 4.0 MB`,
    });
  });

  it('that cannot be read is a problem of the scenario naming it, before any runtime starts', async () => {
    // arrange
    const file = join(dir, 'tests', 'folder.test.json');
    const scenario = {
      name: 'Folder',
      journeys: ['folder'],
      start: '2026-03-02T09:00:00Z',
      customers: [{ id: 'ana' }],
      events: [],
      expect: [{ noMessage: { user: 'ana' } }],
    };
    await writeFile(file, JSON.stringify(scenario));
    const loaded = await loadScenarios([file], dir);
    // act
    const problems = await referenceProblems(loaded.scenarios, dir);
    // assert
    expect(problems).toStrictEqual([
      `tests/folder.test.json:1:30: journeys[0]: ${join(dir, 'folder.json')}: is a folder, not a file`,
    ]);
  });
});

describe('the journeys of the folder, read for the webhook connections of every run', () => {
  it('pass over a file that cannot be read, rather than failing every scenario', async () => {
    // act
    const ids = (await allJourneys(dir)).map((j) => j.id);
    // assert
    expect(ids).toStrictEqual(['bom', 'welcome']);
  });
});

describe('a scenario file', () => {
  it('too large is refused before it is read, with its size', async () => {
    // arrange
    const file = join(dir, 'tests', 'large.test.json');
    await writeFile(file, '');
    await truncate(file, 5 * 1024 * 1024);
    // act
    const { problems } = await loadScenarios([file], dir);
    // assert
    expect(problems).toStrictEqual([
      'tests/large.test.json: is 5.0 MB; a file read here can be at most 4.0 MB',
    ]);
  });
});
