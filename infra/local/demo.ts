import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';
import { CUSTOMER_EVENT_SOURCE } from '#shared/events.ts';
import { localClientConfig } from './aws.ts';
import { LOCAL_NAMES } from './env.ts';
import type { LocalRuntime } from './runtime.ts';
import { journeyStatus } from './status.ts';
import { customerTimelines } from './timeline.ts';

const DemoEvents = z.array(
  z.object({
    at: z.number().min(0).describe('Seconds after the demo starts, in journey time.'),
    event: z.object({ type: z.enum(['track', 'identify']) }).loose(),
  }),
);

export type DemoOptions = {
  /** The events file (default `<journeys>/demo/events.json`). */
  file?: string;
  /** Longest the demo waits, in real seconds, for enrollments to finish after the last event (default 60). */
  settleSeconds?: number;
};

/**
 * Plays the demo: puts each event on the local bus through the PutEvents API
 * at its scaled time, waits for the enrollments, then prints a timeline per
 * customer and a funnel per journey.
 */
export async function playDemo(runtime: LocalRuntime, demo: DemoOptions = {}): Promise<void> {
  const { log, journeysDir, timeScale } = runtime.options;
  const file = demo.file ?? join(journeysDir, 'demo', 'events.json');
  const events = DemoEvents.parse(JSON.parse(await readFile(file, 'utf8'))).sort((a, b) => a.at - b.at);
  const client = new EventBridgeClient(localClientConfig(runtime.endpoints.eventbridge));
  const clock = runtime.services.clock;
  const started = clock.nowMs();
  log(`▶ demo: ${events.length} events from ${file} at ${timeScale}× speed`);
  for (const { at, event } of events) {
    // `at` is journey time: each event is stamped and sent when the scaled clock reaches it.
    const due = started + at * 1000;
    const wait = clock.realMs(due - clock.nowMs());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const detail = { ...event, messageId: randomUUID(), timestamp: clock.now().toISOString() };
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
    log(`  ← ${describe(detail)}`);
  }
  client.destroy();
  await settle(runtime, (demo.settleSeconds ?? 60) * 1000);
  await printReport(runtime);
}

function describe(detail: Record<string, unknown>): string {
  const who = typeof detail.userId === 'string' ? detail.userId : 'anonymous';
  return `${who} ${detail.type === 'track' ? String(detail.event) : 'identify'}`;
}

async function settle(runtime: LocalRuntime, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  await runtime.settled();
  const sfn = runtime.services.sfn;
  while (sfn.runningCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await runtime.settled();
}

/** Prints the per-customer timelines and per-journey funnels of everything run so far. */
export async function printReport(runtime: LocalRuntime): Promise<void> {
  const { log, dataDir } = runtime.options;
  await runtime.services.activity.flushed();
  for (const [user, lines] of await customerTimelines(dataDir, runtime.endpoints.ses)) {
    log(`\n${user}`);
    for (const line of lines) log(`  ${line.at.slice(11, 19)}  ${line.text}`);
  }
  for (const machine of runtime.services.sfn.machines.list()) {
    const status = await journeyStatus(dataDir, machine.name.replace(/^journey-/, ''));
    const total = status.enrollments.reduce((n, e) => n + e.count, 0);
    log(
      `\n${status.journeyId}: ${total} enrollment(s), live → v${status.live.map((l) => l.version).join(', v')}`,
    );
    for (const step of status.funnel) log(`  ${String(step.enrollments).padStart(4)}  ${step.state}`);
  }
}
