import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { JourneyClock } from '#infra/local/runtime/clock.ts';
import { closeServer, listenOn } from '#infra/local/runtime/listen.ts';
import { createEventBridgeServer, LocalBus } from '#infra/local/services/eventbridge/bus.ts';
import { readDeadLetters } from '#infra/local/services/eventbridge/dead-letters.ts';

let dir: string;
let clock: JourneyClock;
let bus: LocalBus;
let server: Server;
let client: EventBridgeClient;

const entry = (detail: string) => ({
  Source: 'journeys.customer',
  DetailType: 'track',
  Detail: detail,
  EventBusName: 'customer-events',
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-bus-'));
  clock = new JourneyClock(Date.parse('2026-03-02T09:00:00Z'));
  bus = new LocalBus(['default', 'customer-events'], {
    files: { archive: join(dir, 'events.jsonl'), deadLetters: join(dir, 'dead-letters.jsonl') },
    clock,
    concurrency: 4,
  });
  server = createEventBridgeServer(bus);
  const port = await listenOn(server, 'eventbridge', 0);
  client = new EventBridgeClient(localClientConfig(`http://127.0.0.1:${port}`));
});

afterEach(async () => {
  client.destroy();
  await closeServer(server);
  await rm(dir, { recursive: true, force: true });
});

describe('the local bus keeps EventBridge limits', () => {
  it('refuses a request over 256 KB as EventBridge does, and accepts one just under', async () => {
    // arrange: Source + DetailType + Detail counted in UTF-8 bytes
    const fixed = 'journeys.customer'.length + 'track'.length + '{"p":""}'.length;
    const detail = (bytes: number) => `{"p":"${'é'.repeat((bytes - fixed) / 2)}"}`;
    // act
    const over = await client
      .send(new PutEventsCommand({ Entries: [entry(detail(262_146))] }))
      .catch((e) => e);
    const under = await client.send(new PutEventsCommand({ Entries: [entry(detail(262_144))] }));
    // assert
    expect(over).toMatchObject({ name: 'ValidationException' });
    expect(under.FailedEntryCount).toBe(0);
  });

  it('refuses more than 10 entries in one request', async () => {
    const entries = Array.from({ length: 11 }, () => entry('{}'));
    const result = await client.send(new PutEventsCommand({ Entries: entries })).catch((e) => e);
    expect(result).toMatchObject({ name: 'ValidationException' });
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"hello"'],
    ['a number', '42'],
    ['not JSON', '{"a":'],
    ['nested past 1,000 levels', `${'{"a":'.repeat(1_001)}1${'}'.repeat(1_001)}`],
  ])('fails an entry whose Detail is %s with MalformedDetail, and delivers the others', async (_, detail) => {
    const delivered: unknown[] = [];
    bus.addTarget({
      name: 'probe',
      busName: 'customer-events',
      matches: () => true,
      deliver: async (e) => void delivered.push(e.detail),
    });
    const out = await client.send(new PutEventsCommand({ Entries: [entry(detail), entry('{"ok":true}')] }));
    await bus.idle();
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[0]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(delivered).toStrictEqual([{ ok: true }]);
  });
});

describe('the local bus delivers', () => {
  it('a burst a bounded number at a time, and every event of it', async () => {
    // arrange
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    bus.addTarget({
      name: 'slow',
      busName: 'customer-events',
      matches: () => true,
      deliver: async (e) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        seen.push(z.object({ n: z.number() }).parse(e.detail).n);
        running -= 1;
      },
    });
    // act
    await bus.put(Array.from({ length: 40 }, (_, n) => entry(JSON.stringify({ n }))));
    await bus.idle();
    // assert
    expect(most).toBe(4);
    expect(seen.sort((a, b) => a - b)).toStrictEqual(Array.from({ length: 40 }, (_, n) => n));
  });

  it('dead-letters an event a target keeps failing on, and replays it once the target recovers', async () => {
    // arrange
    let healthy = false;
    const handled: unknown[] = [];
    bus.addTarget({
      name: 'flaky',
      busName: 'customer-events',
      matches: () => true,
      deliver: async (e) => {
        if (!healthy) throw new Error('database down');
        handled.push(e.detail);
      },
    });
    await bus.put([entry('{"order":1}')]);
    await bus.idle();
    const file = join(dir, 'dead-letters.jsonl');
    const { letters } = await readDeadLetters(file);
    // act
    healthy = true;
    const failedAgain = await bus.replay(letters);
    // assert
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      target: 'flaky',
      error: 'Error: database down',
      event: { detail: { order: 1 } },
    });
    expect(failedAgain).toStrictEqual([]);
    expect(handled).toStrictEqual([{ order: 1 }]);
  });

  it('reports a dead letter it cannot write instead of leaving an unhandled rejection', async () => {
    // arrange: a bus whose dead-letter file cannot be written (its folder is gone)
    const errors: string[] = [];
    const orphan = new LocalBus(['customer-events'], {
      files: { archive: join(dir, 'events.jsonl'), deadLetters: join(dir, 'gone', 'dead-letters.jsonl') },
      clock,
      onError: (message) => errors.push(message),
    });
    orphan.addTarget({
      name: 'down',
      busName: 'customer-events',
      matches: () => true,
      deliver: async () => {
        throw new Error('stopped');
      },
    });
    // act
    await orphan.put([entry('{"order":2}')]);
    await orphan.idle();
    // assert
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^down failed on event .*: Error: stopped$/);
    expect(errors[1]).toMatch(/^could not keep the dead letter of event .* for down: ENOENT/);
  });
});
