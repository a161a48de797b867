import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '#infra/local/index.ts';
import { createPinpointServer } from '#infra/local/services/pinpoint/pinpoint.ts';
import { type LocalSes, startSes } from '../../support/ses.ts';
import { runCli } from './run-cli.ts';

let ses: LocalSes;
let pinpoint: Server;
let pinpointEndpoint: string;
let dir: string;
beforeAll(async () => {
  ses = await startSes();
  dir = await mkdtemp(join(tmpdir(), 'send-test-'));
  pinpoint = createPinpointServer(join(dir, 'outbox.jsonl'), () => {});
  pinpoint.listen(0, '127.0.0.1');
  await once(pinpoint, 'listening');
  pinpointEndpoint = `http://127.0.0.1:${(pinpoint.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await ses.stop();
  pinpoint.close();
  await rm(dir, { recursive: true, force: true });
});

const cart = JSON.stringify({ properties: { total: 54, cartId: 'c-9' } });
const endpoints = () => ['--ses-endpoint', ses.endpoint, '--pinpoint-endpoint', pinpointEndpoint];

describe('journeys send-test', () => {
  it('sends one email marked as a test through SES v2', async () => {
    const before = (await ses.emails()).length;
    const { code, stdout } = await runCli([
      'send-test',
      'cart-reminder',
      '--to',
      'qa@example.com',
      '--trigger',
      cart,
      ...endpoints(),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('sent test email cart-reminder to qa@example.com');
    const sent = (await ses.emails()).slice(before);
    expect(sent).toHaveLength(1);
    const [email] = sent;
    expect(email?.subject).toBe('[TEST] Hi, your cart is saved for you');
    expect(email?.destination.to).toEqual(['qa@example.com']);
    expect(email?.body.text).toContain('https://paperlane.example.com/cart/c-9');
  });

  it('sends one SMS marked as a test through End User Messaging', async () => {
    const before = (await readOutbox(dir)).length;
    const { code } = await runCli([
      'send-test',
      'cart-sms',
      '--to',
      '+393331234567',
      '--trigger',
      cart,
      ...endpoints(),
    ]);
    expect(code).toBe(0);
    const outbox = (await readOutbox(dir)).slice(before);
    expect(outbox.map((m) => [m.channel, m.to, m.body.slice(0, 17)])).toEqual([
      ['sms', '+393331234567', '[TEST] Paperlane:'],
    ]);
  });

  it.each([
    {
      template: 'cart-sms',
      to: '0412 345 678',
      reason:
        'a number without a country code is read in the country of a customer, and none was named: give the number with its +country code, or pass --customer',
    },
    { template: 'cart-sms', to: 'call me', reason: 'must be a phone number' },
    { template: 'cart-reminder', to: 'qa.example.com', reason: 'must be an email address' },
    { template: 'cart-push', to: '', reason: 'a push token cannot be empty' },
    { template: 'cart-push', to: '  ', reason: 'a push token cannot be empty' },
  ])('sends nothing to $to, an address the $template channel cannot take, and says why', async (row) => {
    const emails = (await ses.emails()).length;
    const messages = (await readOutbox(dir)).length;
    const { code, stderr } = await runCli([
      'send-test',
      row.template,
      '--to',
      row.to,
      '--trigger',
      cart,
      ...endpoints(),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(`--to ${JSON.stringify(row.to)}: ${row.reason}`);
    expect((await ses.emails()).length).toBe(emails);
    expect((await readOutbox(dir)).length).toBe(messages);
  });

  it('sends an SMS to the number in E.164, as a journey step sends it', async () => {
    const { code, stdout } = await runCli([
      'send-test',
      'cart-sms',
      '--to',
      '+61 412 345 678',
      '--trigger',
      cart,
      ...endpoints(),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('to +61412345678');
    expect((await readOutbox(dir)).at(-1)?.to).toBe('+61412345678');
  });

  it('sends nothing when a variable is missing', async () => {
    const before = (await ses.emails()).length;
    const { code, stderr } = await runCli([
      'send-test',
      'cart-reminder',
      '--to',
      'qa@example.com',
      ...endpoints(),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('missing variable trigger.properties.total');
    expect((await ses.emails()).length).toBe(before);
  });

  it('sends a template that reads the context as the journey would send it', async () => {
    const { code, stderr } = await runCli([
      'send-test',
      'service-recovery',
      '--to',
      'care-qa@example.com',
      '--journey',
      'post-purchase-nps',
      '--trigger',
      JSON.stringify({ properties: { orderId: 'ord-55', total: 20 } }),
      '--context',
      '{"score": 4}',
      ...endpoints(),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const email = (await ses.emails()).find((e) => e.destination.to.includes('care-qa@example.com'));
    expect(email?.subject).toBe('[TEST] About your order ord-55: we want to put this right');
    expect(email?.body.text).toContain('(4 out of 10) tells me order ord-55');
  });
});
