import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from '../functions/harness.ts';
import { runCli } from './run-cli.ts';

/**
 * A message after a waitForEvent reads the event that answered it as
 * `event.*`: preview and send-test take a sample of it with --event, as they
 * take the trigger with --trigger, so such a template can be looked at before
 * a customer gets it.
 */

let db: LocalDynamo;
let dir: string;
beforeAll(async () => {
  db = await startDynalite('journeys');
  dir = await mkdtemp(join(tmpdir(), 'preview-event-'));
  await mkdir(join(dir, 'templates'));
  await writeFile(
    join(dir, 'templates', 'order-thanks.json'),
    JSON.stringify({
      channel: 'sms',
      body: 'Thanks {{ profile.traits.firstName }}, order {{ event.properties.orderId }} is on its way',
    }),
  );
  await ingestEvent(ingestDeps(db).deps, identify('u-ana', { firstName: 'Ana', email: 'ana@example.com' }));
});
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

/** `journeys <command> order-thanks` for Ana, on the folder with the template. */
const run = (command: string, ...extra: string[]) =>
  runCli([
    command,
    'order-thanks',
    '--customer',
    'u-ana',
    '--endpoint',
    db.endpoint,
    '--journeys-dir',
    dir,
    ...extra,
  ]);

describe('journeys preview --event', () => {
  it('renders what the message reads of the awaited event', async () => {
    const { code, stdout } = await run('preview', '--event', '{"properties": {"orderId": "o-42"}}');
    expect(code).toBe(0);
    expect(stdout).toContain('body: Thanks Ana, order o-42 is on its way');
  });

  it('without it, names the missing variable and how to give the event', async () => {
    const { code, stderr } = await run('preview');
    expect(code).toBe(1);
    expect(stderr).toContain('missing variable event.properties.orderId (the awaited event');
    expect(stderr).toContain('give one with --event \'{"properties": {…}}\'');
  });

  it('names a --event that is not JSON', async () => {
    const { code, stderr } = await run('preview', '--event', '{orderId}');
    expect(code).toBe(1);
    expect(stderr).toContain('--event');
  });

  it('send-test renders it too: nothing is sent without it', async () => {
    const { code, stderr } = await run('send-test', '--to', '+15550000100');
    expect(code).toBe(1);
    expect(stderr).toContain('nothing sent');
    expect(stderr).toContain('missing variable event.properties.orderId (the awaited event');
  });
});
