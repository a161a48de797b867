import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import type { OutboxEntry } from '#infra/local/services/pinpoint/outbox.ts';
import { createPinpointServer } from '#infra/local/services/pinpoint/pinpoint.ts';

let folder: string;
let server: Server;
let client: PinpointClient;
const sent: OutboxEntry[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'journeys-opt-out-'));
  server = createPinpointServer(join(folder, 'outbox.jsonl'), (entry) => sent.push(entry));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new PinpointClient(localClientConfig(`http://127.0.0.1:${port}`));
});

afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => server?.close(resolve));
  await rm(folder, { recursive: true, force: true });
});

function sms(to: string) {
  return new SendMessagesCommand({
    ApplicationId: 'app',
    MessageRequest: {
      Addresses: { [to]: { ChannelType: 'SMS' } },
      MessageConfiguration: { SMSMessage: { Body: 'Your cart misses you', MessageType: 'PROMOTIONAL' } },
    },
  });
}

describe('the local Pinpoint plays a number that replied STOP', () => {
  it('refuses an SMS to it as opted out, and sends nothing', async () => {
    const out = await client.send(sms('+447700900950'));
    expect(out.MessageResponse?.Result?.['+447700900950']?.DeliveryStatus).toBe('OPT_OUT');
    expect(sent).toEqual([]);
  });

  it('sends to a number of the range that never gets a receipt', async () => {
    const out = await client.send(sms('+447700900600'));
    expect(out.MessageResponse?.Result?.['+447700900600']?.DeliveryStatus).toBe('SUCCESSFUL');
    expect(sent.map((e) => e.to)).toEqual(['+447700900600']);
  });
});
