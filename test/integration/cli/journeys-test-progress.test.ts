import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliProcess } from './run-cli.ts';

/**
 * `journeys test` shows a long run moving: a line on standard error as each
 * scenario ends, numbered over the run, whether the files run in this
 * process or in workers, while the report (text or JUnit) still comes whole
 * on standard output.
 */

// No CPU-bound limit: a loaded 2-core machine is slow to start a local runtime.
const CLI_TIMEOUT = 180_000;

/** Two hours of a customer's cart, and the reminder email expected at `emailAt`. */
const twoHours = (name: string, user: string, emailAt: string) => ({
  name,
  journeys: ['cart-abandonment'],
  start: '2026-03-02T09:00:00Z',
  until: '+2h',
  customers: [{ id: user, timezone: 'Europe/Rome' }],
  events: [{ at: '+0h', user, track: 'Cart Updated', properties: { cartId: `c-${user}`, total: 80 } }],
  expect: [{ message: { user, channel: 'email', template: 'cart-reminder', at: emailAt } }],
});

let dir: string;
let pass: string;
let fail: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journeys-test-progress-'));
  pass = join(dir, 'pass.test.json');
  fail = join(dir, 'fail.test.json');
  await writeFile(pass, JSON.stringify(twoHours('The reminder an hour after the cart', 'ada', '+1h')));
  await writeFile(fail, JSON.stringify(twoHours('The reminder expected two hours after', 'bob', '+2h')));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** The progress lines of a run, without their times (wall time differs from run to run). */
function progressLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('['))
    .map((line) => line.replace(/ \(\d+\.\d s\)$/, ''));
}

describe('journeys test progress', () => {
  it(
    'prints a numbered line as each scenario ends, on standard error only',
    async () => {
      // act
      const result = await runCli(['test', pass, fail, '--jobs', '1']);
      // assert
      expect(result.code).toBe(1);
      expect(progressLines(result.stderr)).toStrictEqual([
        `[1/2] ✓ ${relative(process.cwd(), pass)} › The reminder an hour after the cart`,
        `[2/2] ✗ ${relative(process.cwd(), fail)} › The reminder expected two hours after`,
      ]);
      expect(result.stdout).not.toContain('[1/2]');
      expect(result.stdout).toContain('2 scenario(s), 2 expectation(s): 1 failed');
    },
    CLI_TIMEOUT,
  );

  it(
    'tells of the scenarios of every worker as they end',
    async () => {
      // act
      const result = await runCliProcess(['test', pass, fail, '--jobs', '2', '--reporter', 'junit']);
      // assert: the workers end in either order; each scenario is counted once
      const lines = progressLines(result.stderr);
      expect(result.code).toBe(1);
      expect(lines.map((l) => l.slice(0, 6)).sort()).toStrictEqual(['[1/2] ', '[2/2] ']);
      expect(lines.map((l) => l.slice(6)).sort()).toStrictEqual([
        expect.stringMatching(/^✓ .*pass\.test\.json › The reminder an hour after the cart$/),
        expect.stringMatching(/^✗ .*fail\.test\.json › The reminder expected two hours after$/),
      ]);
      expect(result.stdout.startsWith('<?xml')).toBe(true);
    },
    CLI_TIMEOUT,
  );
});
