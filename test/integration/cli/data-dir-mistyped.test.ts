import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/**
 * `outbox` and `dlq` read files the runtime keeps in its data folder. Given a
 * folder no runtime ran on (a mistyped --data-dir), they say so and exit 1,
 * as `trace` and `report` do, rather than report that nothing was sent or
 * failed.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'data-dir-mistyped-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a --data-dir no runtime ran on', () => {
  it.each(['outbox', 'outbox --json', 'dlq', 'dlq --json'])(
    '%s names the folder and exits 1',
    async (line) => {
      // arrange
      const typo = join(dir, '.jorneys');
      // act
      const result = await runCli([...line.split(' '), '--data-dir', typo]);
      // assert
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`no local runtime data in ${typo}: nothing has run on this folder`);
      expect(result.stdout).toBe('');
    },
  );

  it('outbox of a folder a runtime ran on, with nothing sent, says it is empty and exits 0', async () => {
    // arrange
    const ran = join(dir, '.journeys');
    await mkdir(join(ran, 'dynamodb'), { recursive: true });
    // act
    const result = await runCli(['outbox', '--data-dir', ran]);
    // assert
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^The outbox is empty/);
  });
});
