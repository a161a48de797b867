import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from '../functions/harness.ts';
import { runCli } from './run-cli.ts';

let db: LocalDynamo;
let dir: string;
beforeAll(async () => {
  db = await startDynalite('journeys');
  dir = await mkdtemp(join(tmpdir(), 'preview-'));
  const { deps } = ingestDeps(db);
  await ingestEvent(deps, identify('u-ana', { firstName: 'Ana', email: 'ana@example.com' }));
  await ingestEvent(
    deps,
    identify('u-la', { firstName: 'Lu', phone: '+15555550100', timezone: 'America/Los_Angeles' }),
  );
  await ingestEvent(
    deps,
    identify('u-tokyo', { firstName: 'Kei', phone: '+815555550100', timezone: 'Asia/Tokyo' }),
  );
  // A name holding terminal escape sequences: clear the screen, write the clipboard (OSC 52).
  await ingestEvent(
    deps,
    identify('u-esc', { firstName: 'Eve\u001b[2J\u001b]52;c;ZXZpbA==\u0007\r', email: 'e@example.com' }),
  );
});
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

const cart = JSON.stringify({ properties: { total: 54, cartId: 'c-9', currency: 'GBP' } });

describe('journeys preview', () => {
  it('renders an SMS for a stored customer and a sample trigger', async () => {
    const { code, stdout } = await runCli([
      'preview',
      'cart-sms',
      '--customer',
      'u-ana',
      '--endpoint',
      db.endpoint,
      '--trigger',
      cart,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'body: Paperlane: Ana, your cart (54 GBP) is saved: https://pl.example.com/c/c-9 Reply STOP to opt out',
    );
  });

  it('prints what a customer wrote with its line breaks escaped and other control characters dropped, never run by the terminal', async () => {
    const { code, stdout } = await runCli([
      'preview',
      'cart-sms',
      '--customer',
      'u-esc',
      '--endpoint',
      db.endpoint,
      '--trigger',
      cart,
    ]);
    expect(code).toBe(0);
    // The body drops ESC and BEL as the customer's phone would get it; it keeps the carriage return, which the preview shows escaped.
    expect(stdout).toContain('body: Paperlane: Eve[2J]52;c;ZXZpbA==\\u000d, your cart');
    for (const control of ['\u001b', '\u0007', '\r']) expect(stdout).not.toContain(control);
  });

  it('prints the subject and text of an email and writes its HTML', async () => {
    const html = join(dir, 'reminder.html');
    const { code, stdout } = await runCli([
      'preview',
      'cart-reminder',
      '--customer',
      'u-ana',
      '--endpoint',
      db.endpoint,
      '--trigger',
      cart,
      '--html',
      html,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('subject: Ana, your cart is saved for you');
    expect(stdout).toContain(`html: ${html}`);
    expect(await readFile(html, 'utf8')).toContain('Still thinking it over, Ana?');
  });

  it.each([
    ['holds slashes and dots', '../../shop/eu/42'],
    ['is longer than a file name may be', `u-${'x'.repeat(300)}`],
  ])('writes the HTML of a customer whose id %s as one file in the preview folder', async (_what, id) => {
    // arrange
    await ingestEvent(ingestDeps(db).deps, identify(id, { firstName: 'Ana', email: 'ana@example.com' }));
    const dataDir = await mkdtemp(join(dir, 'data-'));
    // act
    const { code, stdout } = await runCli([
      'preview',
      'cart-reminder',
      '--customer',
      id,
      '--endpoint',
      db.endpoint,
      '--trigger',
      cart,
      '--data-dir',
      dataDir,
    ]);
    // assert
    expect(code).toBe(0);
    const written = await readdir(join(dataDir, 'preview'), { recursive: true, withFileTypes: true });
    expect(written.map((f) => [f.isFile(), f.parentPath])).toEqual([[true, join(dataDir, 'preview')]]);
    const file = join(dataDir, 'preview', written[0]?.name ?? '');
    expect(stdout).toContain(`html: ${file}`);
    expect(await readFile(file, 'utf8')).toContain('Still thinking it over, Ana?');
  });

  it('renders "now" and "today" at the send time --at gives, and says which time it used', async () => {
    // arrange: a template that prints the day it is sent
    const templates = join(dir, 'dated');
    await mkdir(templates, { recursive: true });
    const body = 'Sent {{ "now" | date: "%Y-%m-%d %H:%M" }}, offer ends {{ "today" | date: "%d %b" }}';
    await writeFile(join(templates, 'dated.json'), JSON.stringify({ channel: 'sms', body }));
    const args = ['preview', 'dated', '--customer', 'u-ana', '--endpoint', db.endpoint];
    // act
    const at = await runCli([...args, '--templates-dir', templates, '--at', '2031-07-04T09:30:00Z']);
    const bad = await runCli([...args, '--templates-dir', templates, '--at', 'next tuesday']);
    // assert
    expect(at.code).toBe(0);
    expect(at.stdout).toContain('body: Sent 2031-07-04 09:30, offer ends 04 Jul');
    expect(at.stdout).toContain('at: 2031-07-04T09:30:00.000Z (--at)');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--at must be an ISO 8601 instant');
  });

  it("renders dates in the customer's time zone, as the send does, and reads --at <day> as the start of that day there", async () => {
    // arrange: a template that prints the time it is sent
    const templates = join(dir, 'zoned');
    await mkdir(templates, { recursive: true });
    const body = 'Sent {{ "now" | date: "%Y-%m-%d %H:%M" }}';
    await writeFile(join(templates, 'zoned.json'), JSON.stringify({ channel: 'sms', body }));
    const run = (customer: string, at: string) =>
      runCli([
        'preview',
        'zoned',
        '--customer',
        customer,
        '--endpoint',
        db.endpoint,
        '--templates-dir',
        templates,
        '--at',
        at,
      ]);
    // act
    const instant = await run('u-la', '2026-03-05T09:00:00Z');
    const laDay = await run('u-la', '2026-03-05');
    const tokyoDay = await run('u-tokyo', '2026-03-05');
    const utcDay = await run('u-ana', '2026-03-05');
    // assert
    expect(instant.stdout).toContain('body: Sent 2026-03-05 01:00');
    expect(instant.stdout).toContain(
      "at: 2026-03-05T09:00:00.000Z (--at), shown in America/Los_Angeles (the customer's time zone)",
    );
    expect(laDay.stdout).toContain('body: Sent 2026-03-05 00:00');
    expect(laDay.stdout).toContain(
      "at: 2026-03-05T08:00:00.000Z (--at: the start of 2026-03-05 in America/Los_Angeles, the customer's time zone)",
    );
    expect(tokyoDay.stdout).toContain('body: Sent 2026-03-05 00:00');
    expect(tokyoDay.stdout).toContain(
      'at: 2026-03-04T15:00:00.000Z (--at: the start of 2026-03-05 in Asia/Tokyo',
    );
    expect(utcDay.stdout).toContain(
      'at: 2026-03-05T00:00:00.000Z (--at: the start of 2026-03-05 in UTC, the customer has no time zone)',
    );
  });

  it('renders "now" at the journey time of the data folder, never the machine clock, and asks for --at when it has none', async () => {
    // arrange: a folder whose runtime stopped at a journey time years from the machine's clock, and one never run
    const templates = join(dir, 'dated-journey-time');
    await mkdir(templates, { recursive: true });
    await writeFile(
      join(templates, 'dated.json'),
      JSON.stringify({ channel: 'sms', body: 'Sent {{ "now" | date: "%Y-%m-%d %H:%M" }}' }),
    );
    await writeFile(
      join(templates, 'plain.json'),
      JSON.stringify({ channel: 'sms', body: 'Hi {{ profile.firstName }}' }),
    );
    const ran = join(dir, 'ran');
    const never = join(dir, 'never');
    await mkdir(ran, { recursive: true });
    await writeFile(
      join(ran, 'clock.json'),
      `${JSON.stringify({ virtualNow: Date.parse('2033-05-06T07:08:00Z') })}\n`,
    );
    const args = ['--customer', 'u-ana', '--endpoint', db.endpoint, '--templates-dir', templates];
    // act
    const onJourneyTime = await runCli(['preview', 'dated', ...args, '--data-dir', ran]);
    const noTime = await runCli(['preview', 'dated', ...args, '--data-dir', never]);
    const noTimeNeeded = await runCli(['preview', 'plain', ...args, '--data-dir', never]);
    // assert
    expect(onJourneyTime.code).toBe(0);
    expect(onJourneyTime.stdout).toContain('body: Sent 2033-05-06 07:08');
    expect(onJourneyTime.stdout).toContain('at: 2033-05-06T07:08:00.000Z (journey time of the local runtime');
    expect(noTime.code).toBe(1);
    expect(noTime.stderr).toContain('give the send time with --at <ISO 8601 time>');
    expect(noTimeNeeded.code).toBe(0);
    expect(noTimeNeeded.stdout).toContain('body: Hi Ana');
    expect(noTimeNeeded.stdout).toContain('at: not used');
  });

  it('lists every missing variable and fails', async () => {
    const { code, stderr } = await runCli([
      'preview',
      'cart-sms',
      '--customer',
      'u-ana',
      '--endpoint',
      db.endpoint,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('missing variable trigger.properties.total');
    expect(stderr).toContain('missing variable trigger.properties.cartId');
    expect(stderr).not.toContain('currency');
  });

  it('says when the customer does not exist', async () => {
    const { code, stderr } = await runCli([
      'preview',
      'cart-sms',
      '--customer',
      'u-nobody',
      '--endpoint',
      db.endpoint,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('no customer "u-nobody"');
  });

  const nps = (extra: string[]) =>
    runCli([
      'preview',
      'service-recovery',
      '--customer',
      'u-ana',
      '--endpoint',
      db.endpoint,
      '--journey',
      'post-purchase-nps',
      ...extra,
    ]);

  it("renders {{ context.x }} with the journey's context: the trigger's values, and --context for what later steps set", async () => {
    const { code, stdout, stderr } = await nps([
      '--trigger',
      JSON.stringify({ properties: { orderId: 'ord-7', total: 30 } }),
      '--context',
      '{"score": 3}',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('context: orderId="ord-7" score=3');
    expect(stdout).toContain('subject: About your order ord-7: we want to put this right');
    expect(stdout).toContain('(3 out of 10) tells me order ord-7');
  });

  it('renders a variable no step has set yet as null (blank), and shows it', async () => {
    const { code, stdout } = await nps(['--trigger', JSON.stringify({ properties: { orderId: 'ord-8' } })]);
    expect(code).toBe(0);
    expect(stdout).toContain('context: orderId="ord-8" score=null');
    expect(stdout).toContain('( out of 10) tells me order ord-8');
  });

  it('says why a trigger would not enroll, and fails on the variable it leaves missing', async () => {
    const { code, stderr } = await nps(['--trigger', JSON.stringify({ properties: { orderId: 42 } })]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'note: context.orderId: trigger.properties.orderId is a number, not the declared string; an event like this trigger does not enroll in post-purchase-nps',
    );
    expect(stderr).toContain('missing variable context.orderId');
  });

  it('refuses --context values the journey does not declare or that do not fit', async () => {
    const trigger = ['--trigger', JSON.stringify({ properties: { orderId: 'ord-9' } })];
    const unknown = await nps([...trigger, '--context', '{"__proto__": 1}']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('post-purchase-nps declares no context variable "__proto__"');
    const mistyped = await nps([...trigger, '--context', '{"score": "high"}']);
    expect(mistyped.code).toBe(1);
    expect(mistyped.stderr).toContain('--context: score is a string, not the declared number');
  });
});
