import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/**
 * `preview` and `send-test` name every field of a template whose Liquid does
 * not parse, as `journeys validate` does, where they gave the first error
 * alone, without its field ("output … not closed, line:1, col:4": of the
 * subject, the text or the HTML?).
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'template-liquid-'));
  await writeFile(
    join(dir, 'broken.json'),
    JSON.stringify({
      channel: 'email',
      subject: 'Hi {{ profile.traits.firstName }',
      html: '<p>Hello</p>\n<p>{{ profile.traits.plan | nofilter }}</p>',
      text: 'Hello',
    }),
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('a template whose Liquid does not parse', () => {
  it('is refused by send-test with each broken field, and nothing is sent', async () => {
    // act
    const result = await runCli(['send-test', 'broken', '--to', 'ada@example.com', '--templates-dir', dir]);
    // assert
    expect([result.code, result.stdout]).toStrictEqual([1, '']);
    expect(result.stderr).toBe(
      `error ${join(dir, 'broken.json')}: subject: broken Liquid syntax: output "{{ profile.traits.firstName }" not closed, line:1, col:4; html: broken Liquid syntax: undefined filter: nofilter, line:2, col:4\n`,
    );
  });
});
