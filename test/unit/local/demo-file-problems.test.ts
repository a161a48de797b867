import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDemo } from '#infra/local/demo/demo-events.ts';

/**
 * The demo file `npm start` plays (journeys/demo/events.json) is edited by
 * people trying the product: a mistake in it is named with the file, the
 * line and column and the field, as a journey's are — not printed as the
 * validation library's issues in JSON, nor as the parser's message alone.
 */

let dir: string;
const START = Date.parse('2026-03-02T07:00:00Z');
const ENTRY = { at: 0, event: { type: 'track', userId: 'ana', event: 'Signed Up' } };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-file-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function problemOf(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return readDemo(file, START).then(
    () => 'read',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

describe('a demo file with a mistake', () => {
  it('names each wrong field with its line and column', async () => {
    // arrange: an instant where seconds are expected, and an entry without its event
    const text = JSON.stringify([{ ...ENTRY, at: '{{ now }}' }, { at: 5 }], null, 2);
    // act
    const problem = await problemOf('fields.json', text);
    // assert
    expect(problem).toBe(
      [
        'the demo file is not a list of demo entries:',
        `  ${join(dir, 'fields.json')}:3:5: [0].at: must be a number, got the string "2026-03-02T07:00:00.000Z"`,
        `  ${join(dir, 'fields.json')}:10:3: [1].event: is required`,
      ].join('\n'),
    );
  });

  it('that is not JSON names the file and where it breaks', async () => {
    // act
    const problem = await problemOf('cut.json', '[\n  {"at": 0,\n');
    // assert
    expect(problem).toBe(
      `${join(dir, 'cut.json')}: not valid JSON: Expected double-quoted property name at line 3, column 1`,
    );
  });

  it('saved with a byte order mark is played as written', async () => {
    // act
    const file = join(dir, 'bom.json');
    await writeFile(file, `\uFEFF${JSON.stringify([ENTRY])}`);
    const entries = await readDemo(file, START);
    // assert
    expect(entries).toStrictEqual([ENTRY]);
  });
});
