import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from '../functions/harness.ts';
import { runCli } from './run-cli.ts';

/**
 * `journeys trace` of a customer the runtime never saw is an error naming
 * where it looked, exit code 1 as `journeys preview` of one, never an empty
 * trace; a customer with only a profile, or only an entry skipped, is traced.
 */

let db: LocalDynamo;
let dir: string;

beforeAll(async () => {
  // The prefix of the local runtime's table names, as the CLI reads them.
  db = await startDynalite('journeys');
  dir = await mkdtemp(join(tmpdir(), 'trace-unknown-'));
  await mkdir(join(dir, 'data', 'stepfunctions'), { recursive: true });
  await writeFile(join(dir, 'data', 'stepfunctions', 'state-machines.json'), '[]');
  await writeFile(join(dir, 'data', 'stepfunctions', 'executions.jsonl'), '');
  await writeFile(
    join(dir, 'data', 'activity.jsonl'),
    `${JSON.stringify({
      at: '2026-11-24T11:00:00.000Z',
      entrySkipped: { userId: 'bea', journeyId: 'welcome', version: '2', reason: 'tooOld' },
    })}\n`,
  );
  const ingest = ingestDeps(db);
  await ingestEvent(ingest.deps, identify('ada', { firstName: 'Ada' }));
  ingest.sfn.restore();
  ingest.sqs.restore();
});

afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

function traceOf(user: string, ...more: string[]) {
  return runCli([
    'trace',
    user,
    '--endpoint',
    db.endpoint,
    '--sfn-endpoint',
    'http://127.0.0.1:1',
    '--data-dir',
    join(dir, 'data'),
    ...more,
  ]);
}

describe('journeys trace of an unknown customer', () => {
  it('says no such customer is known, where it looked, and exits 1', async () => {
    // act
    const { code, stdout, stderr } = await traceOf('zed');
    // assert
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `no customer "zed" in the local data at ${db.endpoint}: no event has named this id (an anonymous visitor is anon:zed)`,
    );
  });

  it('fails alike with --json, writing nothing a tool would read as a trace', async () => {
    // act
    const { code, stdout, stderr } = await traceOf('zed', '--json');
    // assert
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('no customer "zed"');
  });

  it('traces a customer known only by a profile', async () => {
    // act
    const { code, stdout, stderr } = await traceOf('ada');
    // assert
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('traits: firstName="Ada"');
  });

  it('traces a customer known only by an entry skipped', async () => {
    // act
    const { code, stdout, stderr } = await traceOf('bea');
    // assert
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('entry into welcome skipped');
  });
});
