import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEND_CONNECTION_MAX_IDLE_MS, sendClientConfig } from '#functions/_lib/clients/send-config.ts';
import { providerError } from '#functions/_lib/provider-errors.ts';
import { type LocalSes, startSes } from '../../support/ses.ts';

/**
 * A Lambda environment is frozen between invocations; meanwhile the provider
 * may drop a kept-alive connection without the process hearing of it. The
 * next send written on it is reset, and nobody can tell whether it was read.
 * A TCP relay in front of the SES v2 emulator plays the provider that forgot
 * its connections: data on a forgotten one is answered with a reset and
 * never reaches the emulator.
 */

type Relay = {
  endpoint: string;
  connections: () => number;
  forgetAll: () => void;
  stop: () => Promise<void>;
};

async function startRelay(target: string): Promise<Relay> {
  const { port: targetPort } = new URL(target);
  const open = new Set<Socket>();
  const forgotten = new WeakSet<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections += 1;
    open.add(client);
    const upstream = connect(Number(targetPort), '127.0.0.1');
    client.on('data', (chunk) => {
      if (forgotten.has(client)) {
        upstream.destroy();
        client.resetAndDestroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', () => {
      open.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    forgetAll: () => {
      for (const socket of open) forgotten.add(socket);
    },
    stop: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let ses: LocalSes;
let relay: Relay;
beforeAll(async () => {
  ses = await startSes();
  relay = await startRelay(ses.endpoint);
});
afterAll(async () => {
  await relay.stop();
  await ses.stop();
});

it('sends on a new connection after an idle spell in which the provider dropped the old one', async () => {
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const client = new SESv2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: relay.endpoint,
    // No timers (0 is none): however slow the machine, each send gets its answer.
    ...sendClientConfig({ connectionTimeoutMs: 0, requestTimeoutMs: 0 }, () => clock),
  });
  const send = async (n: number) => {
    try {
      const sent = await client.send(
        new SendEmailCommand({
          FromEmailAddress: 'shop@example.com',
          Destination: { ToAddresses: [`idle-${n}@example.com`] },
          Content: { Simple: { Subject: { Data: `n${n}` }, Body: { Text: { Data: 'hello' } } } },
        }),
      );
      return sent.MessageId;
    } catch (error) {
      return providerError(error, 'SES').name;
    }
  };

  expect(await send(1)).toEqual(expect.any(String));
  clock += SEND_CONNECTION_MAX_IDLE_MS / 2;
  expect(await send(2)).toEqual(expect.any(String));
  // A busy function keeps its connection.
  expect(relay.connections()).toBe(1);

  // Frozen for a minute; the provider forgot the connection meanwhile.
  relay.forgetAll();
  clock += 60_000;
  expect(await send(3)).toEqual(expect.any(String));
  expect(relay.connections()).toBe(2);
  // The emulator's store is one per process: other files' emails may be in it.
  const mine = (await ses.emails()).filter((email) => email.destination.to[0]?.startsWith('idle-'));
  expect(mine.map((email) => email.subject)).toEqual(['n1', 'n2', 'n3']);
  client.destroy();
});
