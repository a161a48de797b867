import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A journey id the runtime has no versions of: misspelt, or its file refused, more often than a runtime not started. */
describe('journeys status of a journey never deployed', () => {
  it('says where a journey comes from and where a refused deploy is reported', async () => {
    // arrange
    const dataDir = mkdtempSync(join(tmpdir(), 'status-'));
    dirs.push(dataDir);

    // act
    const result = await runCli(['status', 'cart-abandonmnet', '--data-dir', dataDir]);

    // assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('journeys/cart-abandonmnet.json');
    expect(result.stderr).toContain('npm start');
  });
});
