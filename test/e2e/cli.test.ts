import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { readProfile } from '#infra/local/inspect/customers.ts';
import { CUSTOMER_EVENT_SOURCE } from '#shared/event-sources.ts';
import { runCli } from '../integration/cli/run-cli.ts';
import { boot, identify, quiesce, type Sandbox, sandbox, sentEmails } from './support/local-runtime.ts';
import { customerInBucket } from './support/scenario.ts';

// Each `journeys` command is a Node.js process (2–5 s to start on a loaded 2-core machine): no CPU-bound limit.
const CLI_TIMEOUT = 180_000;

describe('journeys send, status and outbox against the local runtime', () => {
  let box: Sandbox;
  let runtime: LocalRuntime;
  // A customer in the SMS variant of the cart abandonment split (buckets 0–44).
  const userId = customerInBucket('cart-abandonment', 'channel-test', 'cli', [0, 45]);

  beforeAll(async () => {
    box = await sandbox(['cart-abandonment']);
    // The alias below merges two known customers: the runtime trusts the CLI's source with that.
    runtime = await boot(box, { aliasTrustedSources: [CUSTOMER_EVENT_SOURCE] });
  }, CLI_TIMEOUT);
  afterAll(async () => {
    await runtime.stop();
    await box.remove();
  }, CLI_TIMEOUT);

  it(
    'sends events, then shows the enrollment and the SMS it sent, and traces the customer with the runtime on the data folder',
    async () => {
      // arrange: a customer reachable on every channel, in Kiritimati (UTC+14)
      const traits = JSON.stringify(identify(userId, 'Pacific/Kiritimati').traits);
      const endpoint = ['--endpoint', runtime.endpoints.eventbridge];
      // act
      const who = await runCli(['send', 'identify', '--user', userId, '--traits', traits, ...endpoint]);
      const cart = JSON.stringify({
        cartId: 'cart-cli',
        total: 64,
        currency: 'EUR',
        items: [{ name: 'Photo Book', quantity: 1 }],
      });
      const what = await runCli([
        'send',
        'Cart Updated',
        '--user',
        userId,
        '--properties',
        cart,
        ...endpoint,
      ]);
      // assert: both accepted by the local bus
      expect(who.stdout).toContain(`identify for ${userId} sent`);
      expect(what.stdout).toContain(`Cart Updated for ${userId} sent`);
      // The SMS follows a one-day wait for the order: journey time moves only when asked.
      const before = await runCli(['outbox', '--data-dir', box.dataDir, '--user', userId]);
      const advanced = await runCli(['clock', 'advance', 'P2D', ...endpoint]);
      const clock = await runCli(['clock', ...endpoint]);
      const result = await runCli(['outbox', '--data-dir', box.dataDir, '--user', userId, '--json']);
      const messages: { channel: string; body: string; at: string }[] = JSON.parse(result.stdout);
      expect(before.stdout).toContain(`No SMS or push for ${userId}`);
      expect(advanced.stdout).toContain('journey time is now 2026-03-04T09:00:00.000Z');
      expect(clock.stdout).toContain('2026-03-04T09:00:00.000Z');
      const sms = messages.find((m) => m.channel === 'sms');
      expect(sms?.body).toContain('Reply STOP to opt out');
      // The one-day wait ran out at 23:00 in Kiritimati (UTC+14): quiet hours held the SMS to 08:00 there.
      expect(sms?.at).toBe('2026-03-03T18:00:00.000Z');
      await quiesce(runtime);
      const status = await runCli(['status', 'cart-abandonment', '--data-dir', box.dataDir, '--json']);
      const report = JSON.parse(status.stdout);
      expect(report.live).toEqual([{ version: 1, weight: 100 }]);
      expect(report.versions[0].createdAt).toBe('2026-03-02T09:00:00.000Z');
      expect(report.funnel.map((f: { step: string }) => f.step)).toContain('cart-sms');
      // The customer got the reminder email too; the runtime took free ports. Given only the data
      // folder (as after `npm start -- --ses-port 0`), trace reads each email's subject from that
      // runtime's SES, not whichever answers on the default port.
      const emails = await sentEmails(runtime, `${userId}@example.com`);
      expect(emails.length).toBeGreaterThan(0);
      const trace = await runCli(['trace', userId, '--data-dir', box.dataDir]);
      expect(trace.code).toBe(0);
      for (const email of emails) expect(trace.stdout).toContain(`"${email.subject}"`);
    },
    CLI_TIMEOUT,
  );

  it(
    'stamps events with --timestamp when given, else with journey time',
    async () => {
      const endpoint = ['--endpoint', runtime.endpoints.eventbridge];
      await runCli([
        'send',
        'Page Viewed',
        '--user',
        'stamped',
        '--timestamp',
        '2026-01-01T00:00:00Z',
        ...endpoint,
      ]);
      await runCli(['send', 'Page Viewed', '--user', 'stamped', ...endpoint]);
      await runtime.settled();
      const archive = await readFile(join(box.dataDir, 'events.jsonl'), 'utf8');
      const stamps = archive
        .split('\n')
        .filter((line) => line.includes('"userId":"stamped"'))
        .map((line) => JSON.parse(line).event.detail.timestamp);
      expect(stamps).toEqual(['2026-01-01T00:00:00.000Z', runtime.services.clock.now().toISOString()]);
    },
    CLI_TIMEOUT,
  );

  it(
    'merges an anonymous visitor into the customer on identify, and the customer into an account on alias',
    async () => {
      // arrange
      const endpoint = ['--endpoint', runtime.endpoints.eventbridge];
      const send = (event: object) => runCli(['send', JSON.stringify(event), ...endpoint]);
      // act
      await send({ type: 'track', anonymousId: 'anon-cli', event: 'Page Viewed', properties: {} });
      await send({ type: 'identify', anonymousId: 'anon-cli', userId: 'known-cli', traits: { plan: 'pro' } });
      const alias = await send({ type: 'alias', previousId: 'known-cli', userId: 'account-cli' });
      await send({ type: 'track', anonymousId: 'anon-cli', event: 'Page Viewed', properties: {} });
      await runtime.settled();
      // assert
      expect(alias.stdout).toContain('alias for account-cli sent');
      // Given only the data folder, the read goes through the runtime running on it, whatever its ports.
      const source = { kind: 'local' as const, dataDir: box.dataDir };
      const profile = await readProfile(source, 'account-cli');
      expect(profile?.traits).toMatchObject({ plan: 'pro' });
      expect(profile?.events['Page Viewed']?.count).toBe(2);
    },
    CLI_TIMEOUT,
  );

  it(
    'refuses an invalid event with the field that is wrong, and sends nothing',
    async () => {
      const result = await runCli([
        'send',
        '{"type":"track","userId":"u","event":"X","timestamp":"yesterday"}',
        '--endpoint',
        runtime.endpoints.eventbridge,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('timestamp');
    },
    CLI_TIMEOUT,
  );
});
