import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const exported = {
  Name: 'Welcome',
  StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
  StartActivity: 'mail',
  Activities: { mail: { EMAIL: { TemplateName: 'Hi' } } },
};

describe('journeys import-pinpoint: where it writes is checked before anything is written', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'import-pinpoint-folders-'));
    await writeFile(join(dir, 'export.json'), JSON.stringify(exported));
    await writeFile(join(dir, 'notes.txt'), 'a file, not a folder');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--templates-dir naming a file: names it, exits 1, and writes no journey', async () => {
    // act
    const result = await runCli([
      'import-pinpoint',
      join(dir, 'export.json'),
      '--out',
      join(dir, 'journeys', 'welcome.json'),
      '--templates-dir',
      join(dir, 'notes.txt'),
    ]);
    // assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error --templates-dir: ${join(dir, 'notes.txt')} is a file, not a folder.\n`);
    expect((await readdir(dir)).sort()).toStrictEqual(['export.json', 'notes.txt']);
  });

  it('--out under a file: names the file in the way, and exits 1', async () => {
    // act
    const result = await runCli([
      'import-pinpoint',
      join(dir, 'export.json'),
      '--out',
      join(dir, 'notes.txt', 'journeys', 'welcome.json'),
    ]);
    // assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error --out: ${join(dir, 'notes.txt')} is a file, not a folder, so ${join(dir, 'notes.txt', 'journeys')} cannot be made.\n`,
    );
    expect(result.stderr).not.toMatch(/EEXIST|ENOTDIR/);
  });
});
