import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CUSTOMER_EVENT_SOURCE, isAliasCall, parseAliasEvent, parseCustomerEvent } from '#shared/events.ts';
import { splitTraits } from '#shared/ingest/limits.ts';
import { parseJsonOption, readJsonFile } from '../files.ts';
import { fail, paint } from '../output.ts';
import { localEndpoint, readClock } from '../runtime-client.ts';

export type SendOptions = {
  endpoint?: string;
  dataDir?: string;
  aws?: boolean;
  bus: string;
  user?: string;
  properties?: string;
  traits?: string;
  timestamp?: string;
};

/**
 * `journeys send`: put one customer event on the local bus (default) or a real
 * one (`--aws`). The event is a Segment-spec JSON object, a file (`@event.json`),
 * or built from `--user` with an event name (track) or `identify`. A Segment
 * `alias` call is sent as JSON too.
 */
export async function sendCommand(input: string, options: SendOptions): Promise<void> {
  const raw = await readEvent(input, options);
  if (raw === undefined) return;
  const timestamp = await timestampOf(options);
  if (timestamp === undefined) return;
  const candidate = { messageId: randomUUID(), timestamp, ...raw };
  const parsed = isAliasCall(candidate) ? parseAliasEvent(candidate) : parseCustomerEvent(candidate);
  if (!parsed.ok) {
    fail(`the event is not valid:\n${parsed.problems.map((p) => `    ${p.field}: ${p.message}`).join('\n')}`);
    return;
  }
  const client = new EventBridgeClient(
    options.aws
      ? {}
      : {
          endpoint: localEndpoint(options),
          region: process.env.AWS_REGION ?? 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
  );
  const event = parsed.event;
  // Sent all the same: the profile leaves these out and the rejected queue keeps them, the rest applies.
  const leftOut = event.type === 'alias' ? [] : splitTraits(event.traits ?? {}).dropped;
  for (const { trait, reason } of leftOut)
    process.stderr.write(
      `${paint('yellow', 'warning')} traits.${trait}: ${reason} (left out of the profile)\n`,
    );
  for (const hint of dottedNameHints(event)) process.stderr.write(`${paint('yellow', 'note')} ${hint}\n`);
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
  const what = event.type === 'track' ? event.event : event.type;
  process.stdout.write(
    `${paint('green', '✔')} ${what} for ${event.userId ?? event.anonymousId} sent (event id ${entry.EventId}, messageId ${event.messageId})\n`,
  );
}

/**
 * When the event happened: `--timestamp`, else the local runtime's journey
 * time (asked from the runtime: its clock is not the wall clock), else, for
 * AWS, now. A timestamp inside the event itself wins over all three.
 */
async function timestampOf(options: SendOptions): Promise<string | undefined> {
  if (options.timestamp !== undefined) {
    const at = Date.parse(options.timestamp);
    if (Number.isNaN(at))
      return void fail(`--timestamp must be an ISO 8601 instant, got "${options.timestamp}"`);
    return new Date(at).toISOString();
  }
  if (options.aws) return new Date().toISOString();
  const endpoint = localEndpoint(options);
  try {
    return (await readClock(endpoint)).now;
  } catch (error) {
    // Not a Journeys runtime (another EventBridge stand-in): its time is the wall clock.
    process.stderr.write(
      `note: no journey time at ${endpoint} (${error instanceof Error ? error.message : String(error)}); stamping with the wall clock\n`,
    );
    return new Date().toISOString();
  }
}

async function readEvent(input: string, options: SendOptions): Promise<Record<string, unknown> | undefined> {
  let value: unknown;
  if (input.startsWith('@')) {
    const file = await readJsonFile(input.slice(1));
    if (!file.ok) return void fail(`${input.slice(1)}: ${file.message}`);
    value = file.value;
  } else if (input.trimStart().startsWith('{')) {
    const json = parseJsonOption('the event', input);
    if (!json.ok) return void fail(json.message);
    value = json.value;
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
  const json = parseJsonOption(flag, text);
  const value = json.ok ? json.value : undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ...value };
  fail(`${flag} must be a JSON object, e.g. ${flag} '{"total": 42}'${json.ok ? '' : ` (${json.message})`}`);
  return undefined;
}

/**
 * A trait or property named with a dot (`utm.source`) is one name: a journey
 * reads it in brackets, and the dotted path looks inside an object instead.
 */
function dottedNameHints(event: { type: string; traits?: object; properties?: object }): string[] {
  const hints: string[] = [];
  for (const [field, root] of [
    ['traits', 'profile.traits'],
    ['properties', 'event.properties'],
  ] as const) {
    const value = event[field];
    if (value === undefined || value === null) continue;
    for (const name of Object.keys(value).filter((key) => key.includes('.')))
      hints.push(
        `${field}.${name}: the name holds a dot; a journey reads it as ${root}['${name}'] (${root}.${name} looks inside an object "${name.split('.')[0]}")`,
      );
  }
  return hints;
}
