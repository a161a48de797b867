import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { runCli } from '../integration/cli/run-cli.ts';
import { boot, eventually, identify, quiesce, type Sandbox, sandbox } from './support/local-runtime.ts';
import { customerInBucket } from './support/scenario.ts';

describe('journeys send, status and outbox against the local runtime', () => {
  let box: Sandbox;
  let runtime: LocalRuntime;
  // A customer in the SMS variant of the cart abandonment split (buckets 0–44).
  const userId = customerInBucket('cart-abandonment', 'channel-test', 'cli', [0, 45]);

  beforeAll(async () => {
    box = await sandbox();
    runtime = await boot(box);
  });
  afterAll(async () => {
    await runtime.stop();
    await box.remove();
  });

  it('sends events, then shows the enrollment and the SMS it sent', async () => {
    // arrange: a customer reachable on every channel, awake around the clock
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
    const what = await runCli(['send', 'Cart Updated', '--user', userId, '--properties', cart, ...endpoint]);
    // assert: both accepted by the local bus
    expect(who.stdout).toContain(`identify for ${userId} sent`);
    expect(what.stdout).toContain(`Cart Updated for ${userId} sent`);
    const outbox = await eventually('the cart SMS in the outbox', async () => {
      const result = await runCli(['outbox', '--data-dir', box.dataDir, '--user', userId, '--json']);
      const messages: { channel: string; body: string }[] = JSON.parse(result.stdout);
      return messages.find((m) => m.channel === 'sms');
    });
    expect(outbox.body).toContain('Reply STOP to opt out');
    await quiesce(runtime);
    const status = await runCli(['status', 'cart-abandonment', '--data-dir', box.dataDir, '--json']);
    const report = JSON.parse(status.stdout);
    expect(report.live).toEqual([{ version: 1, weight: 100 }]);
    expect(report.funnel.map((f: { step: string }) => f.step)).toContain('cart-sms');
  });

  it('refuses an invalid event with the field that is wrong, and sends nothing', async () => {
    const result = await runCli([
      'send',
      '{"type":"track","userId":"u","event":"X","timestamp":"yesterday"}',
      '--endpoint',
      runtime.endpoints.eventbridge,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('timestamp');
  });
});
