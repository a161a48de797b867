import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from '../functions/harness.ts';
import { runCli } from './run-cli.ts';

/**
 * A journeys folder is its journeys and, beside them, their templates: a
 * deploy of `--journeys-dir other/` sends `other/templates/`, so a preview
 * of that folder renders those, not the ones of `journeys/` that happen to
 * share a name.
 */

let db: LocalDynamo;
let dir: string;
beforeAll(async () => {
  db = await startDynalite('journeys');
  dir = await mkdtemp(join(tmpdir(), 'preview-dir-'));
  await mkdir(join(dir, 'templates'));
  await writeFile(
    join(dir, 'templates', 'cart-sms.json'),
    JSON.stringify({ channel: 'sms', body: 'From the other folder, {{ profile.traits.firstName }}' }),
  );
  await ingestEvent(ingestDeps(db).deps, identify('u-ana', { firstName: 'Ana', email: 'ana@example.com' }));
});
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

/** `journeys preview cart-sms` for Ana, on the folder with its own templates. */
const preview = (...extra: string[]) =>
  runCli([
    'preview',
    'cart-sms',
    '--customer',
    'u-ana',
    '--endpoint',
    db.endpoint,
    '--journeys-dir',
    dir,
    ...extra,
  ]);

describe('journeys preview --journeys-dir', () => {
  it('renders the template of that folder', async () => {
    const { code, stdout } = await preview();
    expect(code).toBe(0);
    expect(stdout).toContain('body: From the other folder, Ana');
  });

  it('still takes --templates-dir over it', async () => {
    const trigger = JSON.stringify({ properties: { total: 54, cartId: 'c-9', currency: 'GBP' } });
    const { code, stdout } = await preview('--templates-dir', 'journeys/templates', '--trigger', trigger);
    expect(code).toBe(0);
    expect(stdout).toContain('body: Paperlane: Ana');
  });
});
