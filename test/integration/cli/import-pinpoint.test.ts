import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

describe('journeys import-pinpoint', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'import-pinpoint-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a journey that validates, placeholder templates, and a report of notes', async () => {
    // arrange
    const out = join(dir, 'cart.json');
    const templates = join(dir, 'templates');
    // act
    const result = await runCli([
      'import-pinpoint',
      'test/fixtures/pinpoint/cart-abandonment.json',
      '--out',
      out,
      '--templates-dir',
      templates,
    ]);
    // assert
    expect(result.code).toBe(0);
    const journey = JSON.parse(await readFile(out, 'utf8'));
    expect(journey.$schema).toBe('./journey.schema.json');
    expect(journey.id).toBe('cart-abandonment-eu');
    expect((await readdir(templates)).sort()).toEqual([
      'CartDiscount.json',
      'CartReminder.json',
      'OrderThanks.json',
      'VipOffer.json',
    ]);
    expect(result.stdout).toContain('Limits.MessagesPerSecond');
    expect(result.stdout).not.toContain('does not validate');
    const validated = await runCli(['validate', '--templates', templates, out]);
    expect(validated.stdout).toContain('0 with problems');
  });

  it('never overwrites an existing template', async () => {
    const templates = join(dir, 'templates');
    await runCli([
      'import-pinpoint',
      'test/fixtures/pinpoint/winback-segment.json',
      '--out',
      join(dir, 'a.json'),
      '--templates-dir',
      templates,
    ]);
    const mine = `${JSON.stringify({ channel: 'sms', body: 'Come back, {{ profile.traits.firstName | default: "friend" }}!' })}\n`;
    await writeFile(join(templates, 'WinBack-sms.json'), mine);
    const again = await runCli([
      'import-pinpoint',
      'test/fixtures/pinpoint/winback-segment.json',
      '--out',
      join(dir, 'b.json'),
      '--templates-dir',
      templates,
      '--id',
      'winback',
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('kept existing template');
    expect(await readFile(join(templates, 'WinBack-sms.json'), 'utf8')).toBe(mine);
    expect(JSON.parse(await readFile(join(dir, 'b.json'), 'utf8')).id).toBe('winback');
  });

  it('prints the journey on stdout and the notes on stderr without --out', async () => {
    const result = await runCli(['import-pinpoint', 'test/fixtures/pinpoint/winback-segment.json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).trigger.type).toBe('segment');
    expect(result.stderr).toContain('StartCondition.SegmentStartCondition.SegmentId');
  });

  it.each([
    ['test/fixtures/pinpoint/not-a-journey.json', 'JourneyResponse.StartActivity'],
    ['journeys/cart-abandonment.json', 'already a Journeys journey file'],
    ['test/fixtures/pinpoint/missing.json', 'file not found'],
  ])('exits 1 on %s, naming the problem and where', async (file, expected) => {
    const result = await runCli(['import-pinpoint', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not an Amazon Pinpoint journey');
    expect(result.stderr).toContain(expected);
  });
});
