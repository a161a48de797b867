import { execFile } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { projectRoot, runCli } from '../integration/cli/run-cli.ts';
import { chromiumMissing, launchChromium } from '../support/chromium.ts';
import {
  boot,
  E2E_TIMEOUT,
  identify,
  putEvents,
  quiesce,
  type Sandbox,
  sandbox,
  track,
  zoneWhereHourIs,
} from './support/local-runtime.ts';
import { customerInBucket } from './support/scenario.ts';

/**
 * One customer's path, told three ways from one run of the cart-abandonment
 * journey on the deterministic clock: `journeys trace` against the local
 * runtime, `journeys trace --aws` pointed at the same stand-ins through the
 * SDK's endpoint variables (the code path used against AWS), and the local
 * console in headless Chromium.
 */

const JOURNEY = 'cart-abandonment';
const SPLIT = 'channel-test';
const DAY = 86_400_000;
const sms = customerInBucket(JOURNEY, SPLIT, 'trace-sms', [0, 45]);
const control = customerInBucket(JOURNEY, SPLIT, 'trace-control', [90, 100]);
const night = 'trace-night';
/** A customer whose data tries to become markup. */
const hostile = 'trace-<b>bold</b>';
const HOSTILE_NAME = '<img src=x onerror=document.title=1>Eve';

let box: Sandbox;
let runtime: LocalRuntime;
let dayZone: string;

beforeAll(async () => {
  box = await sandbox([JOURNEY]);
  runtime = await boot(box);
  dayZone = zoneWhereHourIs(9, runtime.services.clock.now());
  // The reminder due an hour from now falls in this customer's quiet hours (21:00–08:00).
  const nightZone = zoneWhereHourIs(22, runtime.services.clock.now());
  const who = [sms, control, hostile];
  const named = identify(hostile, dayZone);
  await putEvents(runtime, [
    ...[sms, control].map((id) => identify(id, dayZone)),
    // Its id is no email local part: the address is given.
    { ...named, traits: { ...Object(named.traits), email: 'hostile@example.com', firstName: HOSTILE_NAME } },
    identify(night, nightZone),
  ]);
  await runtime.settled();
  await putEvents(
    runtime,
    [...who, night].map((id, i) =>
      track(id, 'Cart Updated', { cartId: `cart-${i}`, total: 40 + i, currency: 'EUR' }),
    ),
  );
  // The wait for an order (one day) times out; the split then sends or holds out.
  await runtime.advanceTo(runtime.services.clock.nowMs() + 3 * DAY);
  await quiesce(runtime);
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['infra/cli/bin.js', ...args],
      // Not the runtime's Lambda environment: with AWS_LAMBDA_MAX_CONCURRENCY (set while a runtime runs in this
      // process) the AWS SDK in the child looks for a Lambda invocation store and every call fails.
      { cwd: projectRoot, env: { ...withoutLambdaConcurrency(process.env), NO_COLOR: '1', ...env } },
      (error, stdout) => resolve({ code: error === null ? 0 : 1, stdout }),
    );
  });
}

function withoutLambdaConcurrency(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_LAMBDA_MAX_CONCURRENCY: _inLambda, ...rest } = env;
  return rest;
}

/** `journeys trace` in this process (the command's own code; `--aws` below runs it as its own process). */
function localTrace(userId: string) {
  const e = runtime.endpoints;
  return runCli([
    'trace',
    userId,
    '--endpoint',
    e.dynamodb,
    '--sfn-endpoint',
    e.sfn,
    '--ses-endpoint',
    e.ses,
    '--data-dir',
    box.dataDir,
    '--journeys-dir',
    box.journeysDir,
  ]);
}

/** The step lines of a trace (time and text), without message content. */
const stepLines = (text: string) =>
  text.split('\n').filter((l) => /^ {2}\w{3} \d{2} \w{3} \d{2}:\d{2}/.test(l));

describe('journeys trace', () => {
  it('tells each step at the customer’s local time, the variant, the email and how it ended', async () => {
    // act
    const { code, stdout } = await localTrace(sms);
    // assert
    expect(code).toBe(0);
    expect(stdout).toContain(`(times in ${dayZone})`);
    expect(stdout).toMatch(new RegExp(`${JOURNEY} v1 — enrollment ${JOURNEY}-[0-9a-f]+`));
    // Entered 09:00 local; the reminder an hour later; the order wait times out a day after.
    expect(stdout).toMatch(/Mon 02 Mar 09:00 +wait-1h \(wait\)/);
    expect(stdout).toMatch(/Mon 02 Mar 10:00 +reminder-email \(email\)/);
    expect(stdout).toMatch(
      /email delivered — message \S+ \(delivered Mon 02 Mar 10:00\) "Fntrace\w+, your cart is saved for you"/,
    );
    expect(stdout).toMatch(/Mon 02 Mar 10:00 +wait-order: no event in time → channel-test/);
    // The example's channel test is an experiment that has not ended yet.
    expect(stdout).toMatch(/Tue 03 Mar 10:00 +channel-test: variant sms \(experiment running\) → cart-sms/);
    // The carrier's receipt came five seconds later: the SMS reads as delivered, with when.
    expect(stdout).toMatch(/sms delivered — message \S+ \(delivered Tue 03 Mar 10:00\)/);
    expect(stdout).toMatch(/ended: completed Tue 03 Mar 10:00; goal window open until Thu 05 Mar 09:00/);
  });

  it('names the holdout and a deferral with its time', async () => {
    const held = await localTrace(control);
    const deferred = await localTrace(night);
    expect(held.stdout).toMatch(
      /channel-test: variant control \(holdout\) \(experiment running\) → not-ordered/,
    );
    expect(held.stdout).not.toMatch(/cart-sms|cart-push/);
    // 23:00 local is in quiet hours: the email waits for 08:00.
    expect(deferred.stdout).toMatch(/Mon 02 Mar 23:00 +deferred until Tue 03 Mar 08:00/);
    expect(deferred.stdout).toMatch(/Tue 03 Mar 08:00 +email delivered/);
  });

  it('--aws reads the same through the AWS APIs (endpoints from AWS_ENDPOINT_URL_*)', async () => {
    // arrange
    const local = await localTrace(sms);
    // act
    const aws = await cli(
      [
        'trace',
        sms,
        '--aws',
        '--profiles-table',
        'journeys-profiles',
        '--enrollments-table',
        'journeys-enrollments',
        '--deliveries-table',
        'journeys-deliveries',
        '--journeys-table',
        'journeys-journeys',
        '--journeys-dir',
        box.journeysDir,
      ],
      {
        AWS_ENDPOINT_URL_DYNAMODB: runtime.endpoints.dynamodb,
        AWS_ENDPOINT_URL_SFN: runtime.endpoints.sfn,
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_REGION: 'us-east-1',
      },
    );
    // assert: the same steps; message content is local only (SES keeps none)
    expect(aws.code).toBe(0);
    const withoutContent = (lines: string[]) => lines.map((l) => l.replace(/ ".*"$/, ''));
    expect(stepLines(aws.stdout).length).toBeGreaterThan(5);
    expect(withoutContent(stepLines(aws.stdout))).toEqual(withoutContent(stepLines(local.stdout)));
  });
});

const missing = chromiumMissing();
describe.skipIf(missing !== undefined)('the local console, in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('shows each journey with live counts, a customer’s trace, and the sent messages, all escaped', async () => {
    const page = await browser.newPage();
    const base = runtime.endpoints.console;
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    // journeys
    await page.goto(`${base}/`);
    expect(await page.locator(`tr[data-journey="${JOURNEY}"] [data-field="enrolled"]`).textContent()).toBe(
      '4',
    );
    await page.click(`tr[data-journey="${JOURNEY}"] a`);
    expect(await page.locator('[data-kpi="enrolled"] b').textContent()).toBe('4');
    expect(await page.locator('g.step[data-step="reminder-email"] .reached').textContent()).toBe('4');
    // Variants are assigned on entry: the split tells its assignments, not how many got past the wait.
    expect(await page.locator(`g.step[data-step="${SPLIT}"] .detail`).textContent()).toBe(
      'split · assigned 4',
    );
    // a customer, found through the list
    await page.goto(`${base}/customers`);
    await page.click(`li[data-customer="${sms}"] a`);
    const lines = await page.locator('[data-line]').allTextContents();
    expect(lines).toContain('channel-test: variant sms (experiment running) → cart-sms');
    expect(lines.some((l) => l.startsWith('email delivered'))).toBe(true);
    expect(await page.locator('[data-ending]').textContent()).toContain('ended: completed');
    expect(await page.locator('iframe.mail').count()).toBe(1);
    // hostile data stays text
    await page.goto(`${base}/customers/${encodeURIComponent(hostile)}`);
    expect(await page.locator('[data-customer-id]').textContent()).toBe(hostile);
    expect(await page.locator('body').textContent()).toContain(HOSTILE_NAME);
    expect(await page.locator('body img, h1 b').count()).toBe(0);
    expect(await page.title()).not.toBe('1');
    // sent messages: the four reminder emails, and the SMS or push of the variants
    await page.goto(`${base}/messages`);
    const subjects = await page.locator('tr[data-message-id] [data-field="subject"]').allTextContents();
    expect(subjects.filter((s) => s.endsWith('your cart is saved for you'))).toHaveLength(4);
    expect(subjects).toContain(`${HOSTILE_NAME}, your cart is saved for you`);
    expect(requests.every((u) => u.startsWith(base) || u.startsWith('about:'))).toBe(true);
    await page.close();
  });
});
