import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CUSTOMER_EVENT_SOURCE } from '#shared/events.ts';
import { journeyStatus } from '../inspect/status.ts';
import { customerTimelines } from '../inspect/timeline.ts';
import { formatWhen } from '../inspect/when.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localClientConfig } from '../runtime/aws.ts';
import { LOCAL_NAMES } from '../runtime/env.ts';
import type { LocalRuntime } from '../runtime/runtime.ts';
import { type DemoEntry, readDemo } from './demo-events.ts';

export type DemoOptions = {
  /** The events file (default `<journeys>/demo/events.json`). */
  file?: string;
  /** Journey time, in seconds, the demo keeps following the journeys after its last entry (default 2 days). */
  followSeconds?: number;
};

/** The instant the demo's journey time starts at on a fresh data directory: the same timeline on every run. */
export const DEMO_START = '2026-03-02T07:00:00Z';

const TWO_DAYS = 2 * 86_400;

/**
 * Plays the demo: lets journey time run to each entry's instant and puts
 * its event on the local bus through the PutEvents API, follows the journeys
 * for a while after the last entry, then prints a timeline per customer and
 * a funnel per journey.
 */
export async function playDemo(runtime: LocalRuntime, demo: DemoOptions = {}): Promise<void> {
  const { log, journeysDir } = runtime.options;
  const file = demo.file ?? join(journeysDir, 'demo', 'events.json');
  const started = runtime.services.clock.nowMs();
  const entries = await readDemo(file, started);
  log(`▶ demo: ${entries.length} entries from ${file}, from ${new Date(started).toISOString()}`);
  const client = new EventBridgeClient(localClientConfig(runtime.endpoints.eventbridge));
  try {
    for (const entry of entries) {
      // `at` is journey time: everything due before the entry happens first.
      await runtime.advanceTo(started + entry.at * 1000);
      log(`  ${await play(runtime, client, entry)}`);
    }
  } finally {
    client.destroy();
  }
  const last = entries.at(-1)?.at ?? 0;
  await runtime.advanceTo(started + (last + (demo.followSeconds ?? TWO_DAYS)) * 1000);
  await printReport(runtime);
}

async function play(runtime: LocalRuntime, client: EventBridgeClient, entry: DemoEntry): Promise<string> {
  const { event } = entry;
  const detail = { ...event, messageId: randomUUID(), timestamp: runtime.services.clock.now().toISOString() };
  await client.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: CUSTOMER_EVENT_SOURCE,
          DetailType: event.type,
          Detail: JSON.stringify(detail),
          EventBusName: LOCAL_NAMES.eventBus,
        },
      ],
    }),
  );
  return `← ${event.userId ?? 'anonymous'} ${event.type === 'track' ? (event.event ?? 'track') : 'identify'}`;
}

/** Prints the per-customer timelines and per-journey funnels of everything run so far, then how to go on. */
export async function printReport(runtime: LocalRuntime): Promise<void> {
  const { log, dataDir } = runtime.options;
  await runtime.services.activity.flushed();
  for (const [user, { zone, lines }] of await customerTimelines(
    dataDir,
    runtime.endpoints.ses,
    runtime.options.journeysDir,
  )) {
    log(`\n${user}  (times ${zone === undefined ? 'UTC' : `local, ${zone}`})`);
    for (const line of lines) log(`  ${formatWhen(line.at, zone)}  ${line.text}`);
  }
  for (const machine of runtime.services.sfn.machines.list()) {
    const status = await journeyStatus(dataDir, machine.name.replace(/^journey-/, ''));
    const total = status.enrollments.reduce((n, e) => n + e.count, 0);
    log(
      `\n${status.journeyId}: ${total} enrollment(s), live → v${status.live.map((l) => l.version).join(', v')}`,
    );
    for (const step of status.funnel) log(`  ${String(step.enrollments).padStart(4)}  ${step.step}`);
  }
  log(tryItYourself(runtime.endpoints, runtime.options.dataDir, runtime.services.clock.now()));
}

/** What the demo ends with: commands to copy into a shell as printed, on a machine with no AWS configuration. */
export function tryItYourself(
  endpoints: { eventbridge: string; sesViewer: string },
  dataDir: string,
  now: Date,
): string {
  const { eventbridge, sesViewer } = endpoints;
  const entry = JSON.stringify([
    {
      Source: CUSTOMER_EVENT_SOURCE,
      DetailType: 'track',
      EventBusName: LOCAL_NAMES.eventBus,
      Detail: JSON.stringify({
        type: 'track',
        userId: 'u-anna-rossi',
        event: 'Cart Updated',
        // Ingest rejects an event without its id or the time it happened (`journeys send` adds both).
        messageId: randomUUID(),
        timestamp: now.toISOString(),
        properties: { cartId: 'cart-9', total: 30 },
      }),
    },
  ]);
  return [
    '',
    'Try it yourself',
    `  npx journeys send "Cart Updated" --user u-anna-rossi --properties '{"cartId":"cart-9","total":30}' --endpoint ${eventbridge}`,
    `  AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} aws events put-events --endpoint-url ${eventbridge} --region ${LOCAL_REGION} --entries '${entry}'`,
    `  emails: ${sesViewer}    SMS and push: npx journeys outbox --data-dir ${dataDir}`,
    `  journey status: npx journeys status cart-abandonment --data-dir ${dataDir}`,
  ].join('\n');
}
