import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { LOCAL_NAMES } from '#infra/local/runtime/env.ts';
import { resolveOptions } from '#infra/local/runtime/options.ts';
import { type Services, startServices } from '#infra/local/runtime/services.ts';
import type { BusEvent } from '#infra/local/services/eventbridge/bus.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;

let services: Services;
const reports: BusEvent[] = [];

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'journeys-data-'));
  const journeysDir = await mkdtemp(join(tmpdir(), 'journeys-folder-'));
  await writeFile(join(journeysDir, 'hello.json'), '{"id":"hello"}');
  const ports = { dynamodb: 0, eventbridge: 0, sfn: 0, ses: 0, pinpoint: 0, s3: 0, sqs: 0 };
  services = await startServices(
    resolveOptions({ dataDir, journeysDir, ports, startAt: T0, inMemory: true, log: () => {} }),
  );
  // The bus archives and delivers in the order events are put: a target sees the archive's order.
  services.bus.addTarget({
    name: 'probe',
    busName: 'default',
    matches: (e) => e.source === 'aws.ses' || e.source === 'aws.sms-voice',
    deliver: async (e) => {
      reports.push(e);
    },
  });
});

afterAll(async () => {
  await services?.stop();
});

/** The reports published while journey time runs to `untilMs`. */
async function reportsUntil(untilMs: number): Promise<BusEvent[]> {
  const from = reports.length;
  await services.clock.advanceTo(untilMs);
  await services.bus.idle();
  return reports.slice(from);
}

describe('provider reports due at one instant', () => {
  it('reach the bus in the same order whichever email was accepted first', async () => {
    // arrange
    const ses = new SESv2Client(localClientConfig(services.endpoints.ses));
    const send = (to: string) =>
      ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'shop@example.test',
          Destination: { ToAddresses: [to] },
          ConfigurationSetName: LOCAL_NAMES.configurationSet,
          Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } } },
        }),
      );
    const run = async (order: string[], untilMs: number) => {
      // act: one send finishes before the next starts, at one journey instant
      for (const to of order) await send(to);
      return (await reportsUntil(untilMs)).map((e) => [
        e['detail-type'],
        (e.detail as { mail: { destination: string[] } }).mail.destination[0],
      ]);
    };
    const first = await run(
      ['b@example.test', 'complaint@simulator.amazonses.com', 'a@example.test'],
      T0 + MINUTE,
    );
    const second = await run(
      ['a@example.test', 'b@example.test', 'complaint@simulator.amazonses.com'],
      T0 + 2 * MINUTE,
    );
    // assert
    expect(first).toHaveLength(4);
    expect(second).toStrictEqual(first);
  });

  it('reach the bus in the same order whichever SMS was accepted first', async () => {
    // arrange
    const pinpoint = new PinpointClient(localClientConfig(services.endpoints.pinpoint));
    const send = async (to: string) => {
      const out = await pinpoint.send(
        new SendMessagesCommand({
          ApplicationId: 'app',
          MessageRequest: {
            Addresses: { [to]: { ChannelType: 'SMS' } },
            MessageConfiguration: { SMSMessage: { Body: 'Your cart', MessageType: 'PROMOTIONAL' } },
          },
        }),
      );
      return [out.MessageResponse?.Result?.[to]?.MessageId ?? '', to] as const;
    };
    const run = async (order: string[], untilMs: number) => {
      // act
      const numbers = new Map<string, string>();
      for (const to of order) numbers.set(...(await send(to)));
      return (await reportsUntil(untilMs)).map((e) =>
        numbers.get((e.detail as { messageId: string }).messageId),
      );
    };
    const first = await run(['+15550102', '+447700900001', '+15550101'], T0 + 3 * MINUTE);
    const second = await run(['+15550101', '+15550102', '+447700900001'], T0 + 4 * MINUTE);
    // assert
    expect(first).toHaveLength(3);
    expect(second).toStrictEqual(first);
  });
});
