import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTERS_FILE } from '#infra/local/services/eventbridge/dead-letters.ts';
import { runCli } from './run-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dlq-'));
  // A folder a runtime ran on: it keeps its database there.
  await mkdir(join(dir, 'dynamodb'));
  // An event type and an error that carry terminal escape sequences (clear the screen, write the clipboard).
  const letter = {
    target: 'journey-trigger',
    error: 'boom\u001b[2J\u001b]52;c;ZXZpbA==\u0007\r\nok',
    failedAt: '2026-03-20T18:00:00.000Z',
    event: {
      id: 'ev-1\u202e',
      'detail-type': 'Cart\u001b[31mUpdated',
      source: 'app',
      time: '2026-03-20T18:00:00.000Z',
      detail: {},
    },
  };
  await writeFile(join(dir, DEAD_LETTERS_FILE), `${JSON.stringify(letter)}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('journeys dlq', () => {
  it('prints an event’s type, id and error with their control characters escaped, never run by the terminal', async () => {
    // act
    const { code, stdout } = await runCli(['dlq', '--data-dir', dir]);
    // assert
    expect(code).toBe(0);
    expect(stdout).toContain('Cart\\u001b[31mUpdated ev-1\\u202e');
    expect(stdout).toContain('boom\\u001b[2J\\u001b]52;c;ZXZpbA==\\u0007\\u000d\\u000aok');
    for (const control of ['\u001b', '\u0007', '\r', '\u202e']) expect(stdout).not.toContain(control);
  });
});
