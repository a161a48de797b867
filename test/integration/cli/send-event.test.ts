import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/** A bus that takes every entry and keeps what it was given. */
let bus: Server;
let endpoint: string;
const received: unknown[] = [];

beforeAll(async () => {
  bus = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end(JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: `ev-${received.length}` }] }));
    });
  });
  await new Promise<void>((resolve) => bus.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(bus.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => bus.close(() => resolve())));

/** `journeys send <args>` at a fixed time, to the recording bus. */
const send = (...args: string[]) =>
  runCli(['send', ...args, '--timestamp', '2026-11-24T10:00:00Z', '--endpoint', endpoint]);

describe('journeys send', () => {
  it('sends an identify whose time zone trait is not one, warning that the profile leaves that trait out', async () => {
    const traits = JSON.stringify({ email: 'ada@example.com', timezone: 'GMT+0530', plan: 'pro' });
    const result = await send('identify', '--user', 'u-send-zone', '--traits', traits);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'traits.timezone: must be an IANA time zone such as Europe/Rome or America/New_York (left out of the profile)',
    );
    expect(result.stderr).not.toContain('traits.email');
    expect(result.stdout).toContain('identify for u-send-zone sent');
    const [put] = received as { Entries: { Detail: string }[] }[];
    expect(JSON.parse(put?.Entries[0]?.Detail ?? '{}')).toMatchObject({
      userId: 'u-send-zone',
      traits: { email: 'ada@example.com', timezone: 'GMT+0530' },
    });
  });

  it('says how a journey reads a trait or property named with a dot', async () => {
    const properties = JSON.stringify({ 'utm.source': 'newsletter', plan: 'pro' });
    const result = await send('Signed Up', '--user', 'u-send-dots', '--properties', properties);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "properties.utm.source: the name holds a dot; a journey reads it as event.properties['utm.source']",
    );
    expect(result.stderr).not.toContain('properties.plan');
  });
});
