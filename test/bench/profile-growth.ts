import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type IngestDeps, ingestEvent } from '#functions/ingest/ingest.ts';
import { REFERENCED_EVENTS } from './growth-journeys.ts';
import { itemSizeBytes } from './item-size.ts';

/**
 * One customer fed a long, varied event stream through the real ingest
 * handler: 50 event names, 30 traits, identify calls, ten live journeys (some
 * waiting for an event). Prints the profile item's size every 1,000 events,
 * the write units consumed per event (from ReturnConsumedCapacity) and the
 * failures. The execution lifecycle (steps registering waiters, executions
 * ending) is driven by `lifecycle`, so the figure covers cleanup too.
 */

export const EVENT_NAMES = Array.from({ length: 50 }, (_, i) =>
  i < 10 ? `Journey Event ${i}` : `Action ${String(i).padStart(2, '0')}`,
);

/** A small deterministic PRNG: the same stream on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const START = Date.parse('2026-01-01T00:00:00Z');
/**
 * Seconds between two events of the customer (`BENCH_GROWTH_SPACING`, default 90): 100,000 events span
 * 104 days, past the 91 days of daily counts a profile keeps, so the run reaches the item's steady size.
 */
export const SPACING_SECONDS = Number(process.env.BENCH_GROWTH_SPACING ?? 90);

export function streamEvent(userId: string, i: number, random: () => number) {
  const timestamp = new Date(START + i * SPACING_SECONDS * 1000).toISOString();
  const messageId = `${userId}-m${i}`;
  if (i % 50 === 0) {
    const traits: Record<string, unknown> = {};
    for (let t = 0; t < 30; t++)
      if (random() < 0.3 || i === 0) traits[`trait_${t}`] = `v${Math.floor(random() * 100)}`;
    traits.email = `${userId}@example.com`;
    return { type: 'identify', userId, messageId, timestamp, traits };
  }
  const name = EVENT_NAMES[Math.floor(random() * EVENT_NAMES.length)] ?? 'Action 49';
  return {
    type: 'track',
    userId,
    event: name,
    messageId,
    timestamp,
    properties: {
      sku: `sku-${Math.floor(random() * 500)}`,
      price: Math.floor(random() * 10000) / 100,
      cartId: `c${i % 7}`,
    },
  };
}

export type GrowthResult = {
  events: number;
  failures: number;
  /** Write units per event, over all events and over those no journey references (they trigger nothing). */
  unitsPerEvent: number;
  unitsPerQuietEvent: number;
  writesPerQuietEvent: number;
  readsPerQuietEvent: number;
  /** Reads made by events that trigger nothing, in all (only an event that brings new traits reads). */
  quietReads: number;
  /** The largest profile item after any event (every profile write returns the item). */
  maxSize: number;
  /** The item's size after each 1,000 events. */
  sizes: number[];
};

/** What the DynamoDB client middleware counts: write units, calls, and the largest profile item a write returned. */
export type Meter = { units: number; writes: number; reads: number; maxItem: number };

/** Feeds `count` events for one customer and reports sizes and write units. */
export async function feedCustomer(
  deps: IngestDeps,
  raw: DynamoDBClient,
  profilesTable: string,
  meter: Meter,
  count: number,
  advance: (now: Date) => Promise<void>,
  setNow: (now: Date) => void,
): Promise<GrowthResult> {
  const userId = `power-${count}`;
  const random = prng(count);
  const sizes: number[] = [];
  let failures = 0;
  const total = { units: 0 };
  const quiet = { events: 0, units: 0, writes: 0, reads: 0 };
  for (let i = 0; i < count; i++) {
    const event = streamEvent(userId, i, random);
    const now = new Date(Date.parse(event.timestamp) + 1000);
    setNow(now);
    const before = { ...meter };
    try {
      const result = await ingestEvent(deps, event);
      if (result.status === 'rejected') failures++;
      else if (!('event' in event) || !REFERENCED_EVENTS.has(String(event.event))) {
        quiet.events++;
        quiet.units += meter.units - before.units;
        quiet.writes += meter.writes - before.writes;
        quiet.reads += meter.reads - before.reads;
      }
    } catch {
      failures++;
    }
    total.units += meter.units - before.units;
    await advance(now);
    if ((i + 1) % 1000 === 0) {
      const item = await raw.send(
        new GetItemCommand({ TableName: profilesTable, Key: { userId: { S: userId } } }),
      );
      const size = itemSizeBytes(item.Item ?? {});
      sizes.push(size);
      // A long stream reports as it goes: each 10,000 events, the figures so far.
      if (count > 10_000 && (i + 1) % 10_000 === 0)
        console.log(
          `  ${String(i + 1).padStart(7)} events: item ${size} B, max ${meter.maxItem} B, ` +
            `${(quiet.units / Math.max(1, quiet.events)).toFixed(2)} units per event that triggers nothing, failures ${failures}`,
        );
    }
  }
  const per = (n: number, d: number) => (d === 0 ? 0 : n / d);
  return {
    events: count,
    failures,
    unitsPerEvent: per(total.units, count),
    unitsPerQuietEvent: per(quiet.units, quiet.events),
    writesPerQuietEvent: per(quiet.writes, quiet.events),
    readsPerQuietEvent: per(quiet.reads, quiet.events),
    quietReads: quiet.reads,
    maxSize: Math.max(meter.maxItem, ...sizes),
    sizes,
  };
}
