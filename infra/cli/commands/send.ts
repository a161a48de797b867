import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CUSTOMER_EVENT_SOURCE, parseCustomerEvent } from '#shared/events.ts';
import { readJsonFile } from '../files.ts';
import { fail, paint } from '../output.ts';

export type SendOptions = {
  endpoint?: string;
  aws?: boolean;
  bus: string;
  user?: string;
  properties?: string;
  traits?: string;
};

/**
 * `journeys send`: put one customer event on the local bus (default) or a real
 * one (`--aws`). The event is a Segment-spec JSON object, a file (`@event.json`),
 * or built from `--user` with an event name (track) or `identify`.
 */
export async function sendCommand(input: string, options: SendOptions): Promise<void> {
  const raw = await readEvent(input, options);
  if (raw === undefined) return;
  const parsed = parseCustomerEvent({ messageId: randomUUID(), timestamp: new Date().toISOString(), ...raw });
  if (!parsed.ok) {
    fail(`the event is not valid:\n${parsed.problems.map((p) => `    ${p.field}: ${p.message}`).join('\n')}`);
    return;
  }
  const client = new EventBridgeClient(
    options.aws
      ? {}
      : {
          endpoint: options.endpoint ?? 'http://localhost:4010',
          region: process.env.AWS_REGION ?? 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
  );
  const event = parsed.event;
  const out = await client.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: options.bus,
          Source: CUSTOMER_EVENT_SOURCE,
          DetailType: event.type,
          Detail: JSON.stringify(event),
        },
      ],
    }),
  );
  const entry = out.Entries?.[0];
  if ((out.FailedEntryCount ?? 0) > 0 || entry?.EventId === undefined) {
    fail(`the bus refused the event: ${entry?.ErrorCode ?? ''} ${entry?.ErrorMessage ?? ''}`.trim());
    return;
  }
  const what = event.type === 'track' ? event.event : 'identify';
  process.stdout.write(
    `${paint('green', '✔')} ${what} for ${event.userId ?? event.anonymousId} sent (event id ${entry.EventId}, messageId ${event.messageId})\n`,
  );
}

async function readEvent(input: string, options: SendOptions): Promise<Record<string, unknown> | undefined> {
  let value: unknown;
  if (input.startsWith('@')) {
    const file = await readJsonFile(input.slice(1));
    if (!file.ok) return void fail(`${input.slice(1)}: ${file.message}`);
    value = file.value;
  } else if (input.trimStart().startsWith('{')) {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return void fail(
        `the event is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } else {
    if (options.user === undefined)
      return void fail('give --user <id> with an event name, or a whole event as JSON or @file.json');
    const extra = parseObject(
      input === 'identify' ? options.traits : options.properties,
      input === 'identify' ? '--traits' : '--properties',
    );
    if (extra === undefined) return undefined;
    value =
      input === 'identify'
        ? { type: 'identify', userId: options.user, traits: extra }
        : { type: 'track', event: input, userId: options.user, properties: extra };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return void fail('the event must be a JSON object');
  return { ...value };
}

function parseObject(text: string | undefined, flag: string): Record<string, unknown> | undefined {
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ...value };
  } catch {
    // reported below
  }
  fail(`${flag} must be a JSON object, e.g. ${flag} '{"total": 42}'`);
  return undefined;
}
