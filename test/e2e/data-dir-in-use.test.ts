import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, type LocalRuntime, startLocal } from '#infra/local/index.ts';
import { ANY_PORTS } from '#infra/local/runtime/options.ts';
import { assertDataDirFree } from '#infra/local/runtime/running.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'journeys-data-in-use-'));
});
afterEach(async () => rm(dataDir, { recursive: true, force: true }));

/** The folder as a runtime of process `pid` leaves it while it runs. */
async function heldBy(pid: number): Promise<void> {
  await writeFile(
    join(dataDir, 'running.json'),
    `${JSON.stringify({ pid, dynamodb: 'http://127.0.0.1:9' })}\n`,
  );
  await writeFile(join(dataDir, 'clock.json'), '{"now":"2026-03-02T09:00:00.000Z"}\n');
}

describe('a data folder another runtime runs on', () => {
  it('is refused before anything opens or clears it, even with --reset, naming the process and the option', async () => {
    // arrange: a live process (this one) runs a runtime on the folder
    await heldBy(process.pid);
    let started: LocalRuntime | undefined;
    // act
    const start = startLocal({
      dataDir,
      journeysDir: dataDir,
      reset: true,
      ports: ANY_PORTS,
      log: () => {},
    }).then((runtime) => {
      started = runtime;
    });
    // assert
    await expect(start).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(start).rejects.toThrow(`in use by the local runtime of process ${process.pid}`);
    await expect(start).rejects.toThrow('--data-dir');
    await started?.stop();
    expect(await readFile(join(dataDir, 'clock.json'), 'utf8')).toContain('2026-03-02');
  });

  it('is free again once the process that ran on it has ended', async () => {
    // arrange: a runtime that was killed left its running.json
    const ended = spawnSync(process.execPath, ['-e', '']).pid;
    await heldBy(ended ?? 0);
    // act / assert
    expect(() => assertDataDirFree(dataDir)).not.toThrow();
  });
});
