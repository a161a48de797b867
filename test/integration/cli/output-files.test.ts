import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/**
 * A file a command is asked to write (`--out`, `--html`) that cannot be
 * written is named with the reason, not as the system's error code
 * ("ENOENT: no such file or directory, open …").
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-out-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('a command writing its output where it cannot', () => {
  it('names a folder that does not exist', async () => {
    const out = join(dir, 'missing', 'schema.json');
    const result = await runCli(['schema', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot write ${out}: the folder ${join(dir, 'missing')} does not exist`);
    expect(result.stderr).not.toContain('ENOENT');
  });

  it('names a path that is a folder', async () => {
    const result = await runCli(['compile', 'journeys/welcome-series.json', '--out', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot write ${dir}: it is a folder`);
  });
});
