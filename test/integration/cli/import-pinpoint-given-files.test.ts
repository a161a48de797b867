import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/**
 * A --segments or --template-exports file that cannot be read is named with
 * why — not found, a folder's file that is not JSON, bytes that are not
 * UTF-8 — where it was called "not Pinpoint segments", which sent people to
 * check an export that was never read.
 */

const JOURNEY = {
  Name: 'Welcome',
  StartActivity: 'mail',
  StartCondition: {
    EventStartCondition: {
      EventFilter: { Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: ['Signed Up'] } } },
    },
  },
  Activities: { mail: { EMAIL: { TemplateName: 'Welcome' } } },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-pinpoint-given-'));
  await writeFile(join(dir, 'journey.json'), JSON.stringify(JOURNEY));
  await writeFile(join(dir, 'latin1.json'), Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
  await mkdir(join(dir, 'segments'));
  await writeFile(join(dir, 'segments', 'cut.json'), '{"SegmentsResponse": {"Item": [');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('import-pinpoint with a file given beside the journey', () => {
  it('names a file that cannot be read with why, and imports nothing', async () => {
    // act
    const missing = await runCli([
      'import-pinpoint',
      join(dir, 'journey.json'),
      '--segments',
      join(dir, 'nope.json'),
    ]);
    const latin1 = await runCli([
      'import-pinpoint',
      join(dir, 'journey.json'),
      '--template-exports',
      join(dir, 'latin1.json'),
    ]);
    const cut = await runCli([
      'import-pinpoint',
      join(dir, 'journey.json'),
      '--segments',
      join(dir, 'segments'),
    ]);
    // assert
    expect([missing.code, missing.stdout, missing.stderr]).toStrictEqual([
      1,
      '',
      `error --segments ${join(dir, 'nope.json')}: ${join(dir, 'nope.json')}: file not found\n`,
    ]);
    expect(latin1.stderr).toBe(
      `error --template-exports ${join(dir, 'latin1.json')}: ${join(dir, 'latin1.json')}: not UTF-8 text (near byte 3, line 1): save it as UTF-8\n`,
    );
    expect(cut.stderr).toBe(
      `error --segments ${join(dir, 'segments')}: ${join(dir, 'segments', 'cut.json')}: not valid JSON: Unexpected end of JSON input at line 1, column 32\n`,
    );
  });
});
