import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliProcess } from './run-cli.ts';

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

/** A customer still waiting in the journey when the scenario ends: the runtime stops with an execution running. */
const stillWaiting = twoHours('Ends while the customer waits for the SMS', 'sam-2', '+1h');

const scenario = (smsAt: string) => ({
  name: 'No order within a day: the SMS the next day',
  journeys: ['cart-abandonment'],
  start: '2026-03-02T09:00:00Z',
  customers: [{ id: 'sam-1', timezone: 'Europe/Rome' }],
  events: [{ at: '+0h', user: 'sam-1', track: 'Cart Updated', properties: { cartId: 'c1', total: 80 } }],
  expect: [
    { message: { user: 'sam-1', channel: 'email', template: 'cart-reminder', at: '+1h' } },
    { message: { user: 'sam-1', channel: 'sms', template: 'cart-sms', at: smsAt, contains: '80 EUR' } },
  ],
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journeys-test-cli-'));
  await writeFile(
    join(dir, 'pass.test.json'),
    JSON.stringify({ scenarios: [scenario('2026-03-03T10:00:00Z'), stillWaiting] }),
  );
  // sam-3 has no time zone: the journey reads her in its default zone (Europe/Rome), and so does her timeline.
  const failing = scenario('2026-03-03T09:00:00Z');
  await writeFile(
    join(dir, 'fail.test.json'),
    JSON.stringify({
      ...failing,
      customers: [...failing.customers, { id: 'sam-3' }],
      events: [
        ...failing.events,
        { at: '+0h', user: 'sam-3', track: 'Cart Updated', properties: { cartId: 'c3', total: 30 } },
      ],
      expect: [
        ...failing.expect,
        { message: { user: 'sam-3', channel: 'email', template: 'cart-reminder', at: '+2h' } },
      ],
    }),
  );
  // The email comes an hour after the cart, not two.
  await writeFile(
    join(dir, 'fail-early.test.json'),
    JSON.stringify(twoHours('The reminder an hour late', 'sam-4', '+2h')),
  );
  await writeFile(join(dir, 'invalid.test.json'), JSON.stringify({ name: 'x', journeys: [], expect: [] }));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('npx journeys test', () => {
  it(
    'passes scenarios that hold, expectation by expectation, also one that ends mid-journey',
    async () => {
      // In this process: the runtime's shutdown has to leave nothing running behind it.
      const result = await runCli(['test', join(dir, 'pass.test.json')]);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        '✓ sam-1 gets sms cart-sms at 2026-03-03T10:00:00.000Z, containing "80 EUR"',
      );
      expect(result.stdout).toContain('✓ sam-2 gets email cart-reminder at 2026-03-02T10:00:00.000Z');
      expect(result.stdout).toContain('2 scenario(s), 3 expectation(s): all passed');
    },
    CLI_TIMEOUT,
  );

  it(
    'fails a changed expectation with what happened instead and the timeline, exit 1, and JUnit for CI',
    async () => {
      const junit = join(dir, 'junit.xml');
      const result = await runCli([
        'test',
        join(dir, 'fail.test.json'),
        '--reporter',
        'junit',
        '--out',
        junit,
      ]);

      expect(result.code).toBe(1);
      expect(result.stdout).toContain('✗ sam-1 gets sms cart-sms at 2026-03-03T09:00:00.000Z');
      expect(result.stdout).toContain('sms cart-sms at 2026-03-03T10:00:00.000Z (Tue 03 Mar 11:00 local)');
      expect(result.stdout).toContain('timeline of sam-1 (times in Europe/Rome)');
      expect(result.stdout).toMatch(/Tue 03 Mar 11:00 {2}sent {3}cart-abandonment\/cart-sms/);
      // A customer with no zone of her own: the verdict and her timeline give the email the same time of day.
      expect(result.stdout).toContain(
        'email cart-reminder at 2026-03-02T10:00:00.000Z (Mon 02 Mar 11:00 local)',
      );
      expect(result.stdout).toContain('timeline of sam-3 (times in Europe/Rome)');
      expect(result.stdout).toMatch(
        /timeline of sam-3[\s\S]*\n {10}Mon 02 Mar 11:00 {2}sent {3}cart-abandonment\//,
      );
      // The wait for her order, in the journey's words, then the variant her split gave, by name.
      expect(result.stdout).toContain('timeout cart-abandonment/wait-order: no Order Completed in time');
      expect(result.stdout).toMatch(
        /split {2}cart-abandonment\/channel-test: variant "sms" → cart-sms\n.*sent {3}cart-abandonment\/cart-sms/,
      );
      // The event that enrolled her comes before the enrollment it caused, at the same minute.
      expect(result.stdout).toMatch(/event {2}Cart Updated\n.*enter {2}cart-abandonment\n/);
      const xml = await readFile(junit, 'utf8');
      expect(xml).toContain('<testsuite');
      expect(xml).toContain('tests="3" failures="2"');
      expect(xml).toContain('timeline of sam-3 (times in Europe/Rome):');
    },
    CLI_TIMEOUT,
  );

  it(
    // In its own process, as a user or CI runs it: the exit code is the process's, and the process ends
    // once the report is out. The shortest failing scenario: what a scenario runs, the test above reads.
    'exits 1 on its own when an expectation fails, with the report alone on stdout',
    async () => {
      const result = await runCliProcess(['test', join(dir, 'fail-early.test.json')]);

      expect(result.code).toBe(1);
      // The report alone: no handler log lines or metrics among it.
      expect(result.stdout.startsWith('\n')).toBe(true);
      expect(result.stdout).not.toContain('"level"');
      expect(result.stdout).not.toContain('"_aws"');
      expect(result.stdout).toContain('✗ sam-4 gets email cart-reminder at 2026-03-02T11:00:00.000Z');
    },
    CLI_TIMEOUT,
  );

  it(
    'fails a scenario whose journey does not deploy, with the deploy problem, instead of reporting no enrollment',
    async () => {
      // arrange: a journeys folder whose journey names a template that does not exist
      const journeys = join(dir, 'journeys');
      await mkdir(join(journeys, 'templates'), { recursive: true });
      await writeFile(
        join(journeys, 'no-template.json'),
        JSON.stringify({
          id: 'no-template',
          name: 'No template',
          trigger: { type: 'event', event: 'Signed Up' },
          start: 'hello',
          steps: {
            hello: { type: 'email', template: 'missing-hello', next: 'done' },
            done: { type: 'exit' },
          },
        }),
      );
      const file = join(dir, 'undeployed.test.json');
      await writeFile(
        file,
        JSON.stringify({
          name: 'Welcome mail',
          journeys: ['no-template'],
          start: '2026-03-02T09:00:00Z',
          customers: [{ id: 'ada' }],
          events: [{ at: '+0h', user: 'ada', track: 'Signed Up' }],
          expect: [{ message: { user: 'ada', channel: 'email', template: 'missing-hello' } }],
        }),
      );
      // act: in this process, after other runtimes: each starts its handlers cold, on its own ports
      const result = await runCli(['test', '--journeys-dir', journeys, file]);
      // assert
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('could not run: the journeys did not deploy');
      expect(result.stdout).toContain('✗ no-template.json rejected');
      expect(result.stdout).toContain('missing-hello');
      // where the problem is in the file as written (one line), not in a copy laid out anew
      expect(result.stdout).toMatch(/1:138 +steps\.hello\.template/);
    },
    CLI_TIMEOUT,
  );

  it(
    'says why a customer did not enter: a failed expectation names the skip, and a scenario can expect it',
    async () => {
      // arrange: a journey that copies the plan from its trigger, and a sign-up without one
      const journeys = join(dir, 'plan-journeys');
      await mkdir(join(journeys, 'templates'), { recursive: true });
      await writeFile(
        join(journeys, 'plan-copy.json'),
        JSON.stringify({
          id: 'plan-copy',
          name: 'Copies the plan',
          trigger: { type: 'event', event: 'Signed Up' },
          start: 'record',
          steps: {
            record: {
              type: 'updateProfile',
              set: { plan: { from: 'trigger.properties.plan' } },
              next: 'done',
            },
            done: { type: 'exit' },
          },
        }),
      );
      const file = join(dir, 'skipped.test.json');
      await writeFile(
        file,
        JSON.stringify({
          name: 'A sign-up without a plan',
          journeys: ['plan-copy'],
          start: '2026-03-02T09:00:00Z',
          customers: [{ id: 'ada' }, { id: 'bo' }],
          events: [
            { at: '+0h', user: 'ada', track: 'Signed Up' },
            { at: '+1h', user: 'bo', track: 'Signed Up', properties: { plan: 'pro' } },
          ],
          expect: [
            { skipped: { user: 'ada', journey: 'plan-copy', reason: 'missing' } },
            { outcome: { user: 'ada', journey: 'plan-copy', is: 'completed' } },
            { skipped: { user: 'bo', journey: 'plan-copy' } },
          ],
        }),
      );
      // act
      const result = await runCli(['test', '--journeys-dir', journeys, file]);
      // assert
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("✓ ada's entry into plan-copy is skipped (missing)");
      expect(result.stdout).toContain("✗ ada's plan-copy enrollment ends completed");
      expect(result.stdout).toMatch(
        /no enrollment\n.*entry into plan-copy skipped: trigger\.properties\.plan is missing/,
      );
      expect(result.stdout).toMatch(
        /Mon 02 Mar 09:00 {2}entry into plan-copy skipped: trigger\.properties\.plan is missing/,
      );
      expect(result.stdout).toContain("✗ bo's entry into plan-copy is skipped");
      expect(result.stdout).toContain('no entry of bo was skipped');
    },
    CLI_TIMEOUT,
  );

  it(
    'rejects an invalid scenario file with the field that is wrong',
    async () => {
      const result = await runCli(['test', join(dir, 'invalid.test.json')]);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('invalid.test.json: start');
    },
    CLI_TIMEOUT,
  );
});

describe('npx journeys dlq', () => {
  it(
    'lists the dead-lettered events of a data directory with the error, and says so when there are none',
    async () => {
      // arrange
      const data = await mkdtemp(join(tmpdir(), 'journeys-dlq-'));
      // A folder a runtime ran on: it keeps its database there.
      await mkdir(join(data, 'dynamodb'));
      const empty = await runCli(['dlq', '--data-dir', data]);
      const letter = {
        target: 'ingest',
        error: 'ValidationException: Item size has exceeded the maximum allowed size',
        failedAt: '2026-03-02T09:00:00.000Z',
        attempts: 3,
        event: {
          id: 'ev-1',
          'detail-type': 'track',
          source: 'journeys.customer',
          time: '2026-03-02T09:00:00Z',
          detail: {},
        },
      };
      await writeFile(join(data, 'dead-letters.jsonl'), `${JSON.stringify(letter)}\nnot json\n`);
      // act
      const listed = await runCli(['dlq', '--data-dir', data]);
      await rm(data, { recursive: true, force: true });
      // assert
      expect(empty.stdout).toContain('No dead-lettered events');
      expect(listed.stdout).toContain('ingest ← track ev-1');
      expect(listed.stdout).toContain('Item size has exceeded');
      expect(listed.stdout).toContain('1 line(s) could not be read');
      expect(listed.stdout).toContain('npx journeys dlq replay');
    },
    CLI_TIMEOUT,
  );
});
