import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/**
 * `journeys test <folder>` with no scenario in it names the folder it
 * searched and how scenario files are named, not the default folder it was
 * not asked to search.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journeys-test-nothing-'));
  await mkdir(join(dir, 'scenarios'));
  // A scenario saved without the .test part of its name.
  await writeFile(join(dir, 'scenarios', 'cart.json'), '{}');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('journeys test on a folder without scenario files', () => {
  it('names the folder searched and the file names it looks for, and fails', async () => {
    // act
    const result = await runCli(['test', join(dir, 'scenarios')]);
    // assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error no scenarios found: no file named *.test.json in ${join(dir, 'scenarios')}\n`,
    );
  });
});
