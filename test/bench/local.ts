import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { profilesRepository } from '#functions/_lib/repositories.ts';
import type { LocalRuntime } from '#infra/local/index.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { LOCAL_TABLES } from '#infra/local/runtime/env.ts';
import { boot, type CustomerEvent, entry, identify, sandbox, track } from '../e2e/support/local-runtime.ts';

const EVENTS = 500;
const BATCH = 10;
const IN_FLIGHT = 8;

/** Half identify, half track of an event no journey uses, one per distinct customer. */
function events(run: string): CustomerEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => {
    const userId = `bench-${run}-${i}`;
    return i % 2 === 0
      ? identify(userId, 'Europe/Rome')
      : track(userId, 'Product Viewed', { sku: `sku-${i % 37}`, price: 12 });
  });
}

/** PutEvents in batches of 10 with a few requests in flight, as a busy app would. */
async function send(runtime: LocalRuntime, all: CustomerEvent[]): Promise<void> {
  const client = new EventBridgeClient(localClientConfig(runtime.endpoints.eventbridge));
  const batches: CustomerEvent[][] = [];
  for (let i = 0; i < all.length; i += BATCH) batches.push(all.slice(i, i + BATCH));
  const worker = async () => {
    for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
      const out = await client.send(new PutEventsCommand({ Entries: batch.map((e) => entry(runtime, e)) }));
      if ((out.FailedEntryCount ?? 0) > 0)
        throw new Error(`PutEvents failed: ${JSON.stringify(out.Entries)}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  client.destroy();
}

/** How many of the customers have a profile, read through the handlers' repository. */
async function profilesFound(all: CustomerEvent[]): Promise<number> {
  const profiles = profilesRepository(LOCAL_TABLES.profiles);
  let found = 0;
  for (const e of all) {
    const { profile } = await profiles.get(e.userId);
    if (profile.email !== undefined || Object.keys(profile.events).length > 0) found += 1;
  }
  return found;
}

/**
 * The local runtime: start-up and throughput, then the wall time of
 * `journeys test` and of the end-to-end suite.
 */
export async function runLocalBench(): Promise<void> {
  await runThroughputBench();
  await runScenarioBench();
}

/**
 * The local runtime end to end: time from start to ready (every journey
 * deployed), then events per second from PutEvents to profiles written.
 */
async function runThroughputBench(): Promise<void> {
  const box = await sandbox();
  const started = performance.now();
  const runtime = await boot(box);
  const readyMs = performance.now() - started;
  try {
    const all = events('a');
    const sendStart = performance.now();
    await send(runtime, all);
    const acceptedMs = performance.now() - sendStart;
    await runtime.settled();
    const settledMs = performance.now() - sendStart;
    const found = await profilesFound(all);
    console.log(
      `start to ready (${runtime.services.sfn.machines.list().length} journeys deployed): ${readyMs.toFixed(0)} ms`,
    );
    console.log(
      `${EVENTS} events, batches of ${BATCH}, ${IN_FLIGHT} requests in flight: ` +
        `accepted in ${acceptedMs.toFixed(0)} ms, ingested in ${settledMs.toFixed(0)} ms ` +
        `→ ${((EVENTS * 1000) / settledMs).toFixed(0)} events/s end to end`,
    );
    console.log(`profiles read back: ${found}/${EVENTS}`);
  } finally {
    await runtime.stop();
    await box.remove();
  }
}

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a command from the project root; resolves with its wall time and output, whatever its exit code. */
function timed(command: string, args: string[]): Promise<{ ms: number; code: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: PROJECT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ ms: performance.now() - started, code, stdout });
      },
    );
  });
}

/**
 * Wall times a developer waits for: `npx journeys test` over every example
 * scenario (start-up included), and the end-to-end suite, both on the
 * deterministic clock. Figures only; the machine's load is printed with them.
 */
export async function runScenarioBench(): Promise<void> {
  const load = (await import('node:os')).loadavg()[0]?.toFixed(1);
  const scenarios = await timed(process.execPath, ['infra/cli/bin.js', 'test']);
  const count = Number(/(\d+) scenario\(s\)/.exec(scenarios.stdout)?.[1] ?? 0);
  console.log(
    `npx journeys test, every example: ${count} scenarios in ${(scenarios.ms / 1000).toFixed(1)} s wall ` +
      `(start-up included) → ${((count * 1000) / scenarios.ms).toFixed(1)} scenarios/s; ` +
      `${scenarios.code === 0 ? 'all passed' : 'FAILED'}; load average ${load}`,
  );
  const e2e = await timed(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/e2e']);
  console.log(
    `end-to-end suite (vitest run test/e2e): ${(e2e.ms / 1000).toFixed(1)} s wall, ${e2e.code === 0 ? 'passed' : 'FAILED'}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runLocalBench();
