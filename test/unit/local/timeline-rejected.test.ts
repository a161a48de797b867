import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectedMessageBody } from '#functions/ingest/rejected-message.ts';
import { customerTimelines } from '#infra/local/inspect/timeline.ts';
import { LOCAL_NAMES } from '#infra/local/runtime/env.ts';
import { profileKeys } from '#shared/tables.ts';

/**
 * An event ingest turned away (or applied without some traits) is on the bus
 * all the same: the timeline says so with the reasons the rejected queue
 * keeps, instead of listing it like an event the journeys saw.
 */

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

type Detail = Record<string, unknown>;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString().replace('.000', '');

async function dataDirWith(events: Detail[], rejected: { minute: number; body: string }[]) {
  const dataDir = await mkdtemp(join(tmpdir(), 'timeline-rejected-'));
  dirs.push(dataDir);
  const archive = events.map((detail, i) => ({
    bus: 'default',
    event: { time: at(i), 'detail-type': String(detail.type), source: 'app', detail },
  }));
  await writeFile(join(dataDir, 'events.jsonl'), archive.map((a) => `${JSON.stringify(a)}\n`).join(''));
  await mkdir(join(dataDir, 'queues'));
  const messages = rejected.map((r, i) => ({ MessageId: `m${i}`, sentAt: at(r.minute), body: r.body }));
  await writeFile(
    join(dataDir, 'queues', `${LOCAL_NAMES.rejectedQueue}.jsonl`),
    messages.map((m) => `${JSON.stringify(m)}\n`).join(''),
  );
  return dataDir;
}

const track = (messageId: string, properties: Detail, userId: unknown = 'ana'): Detail => ({
  type: 'track',
  event: 'Order Placed',
  userId,
  messageId,
  timestamp: '2026-03-02T09:00:00Z',
  properties,
});

async function linesOf(dataDir: string, user: string) {
  return ((await customerTimelines(dataDir)).get(user)?.lines ?? []).map((l) => l.text);
}

describe('journeys test timeline: events ingest rejected', () => {
  it('marks a rejected event with its reason and leaves an accepted twin plain', async () => {
    // arrange: the same order twice, once with a total DynamoDB cannot store
    const bad = track('e-2', { total: 1e200 });
    const problem = { field: 'properties.total', message: 'is a number DynamoDB cannot store' };
    const body = rejectedMessageBody({ rejectedAt: at(1), problems: [problem], event: bad });
    const dataDir = await dataDirWith([track('e-1', { total: 12 }), bad], [{ minute: 1, body }]);
    // act
    const lines = await linesOf(dataDir, 'ana');
    // assert
    expect(lines).toEqual([
      'event  Order Placed',
      'event  Order Placed — rejected: properties.total is a number DynamoDB cannot store',
    ]);
  });

  it('matches an event too large for the queue message by its identity', async () => {
    // arrange: the rejected message keeps only the identity of an event near 256 KB
    const big = track('e-big', { blob: 'x'.repeat(255 * 1024) });
    const problems = [{ field: 'properties', message: 'is over 256 KB' }];
    const body = rejectedMessageBody({ rejectedAt: at(0), problems, event: big });
    expect(body).toContain('"truncated"');
    const dataDir = await dataDirWith([big, track('e-small', {})], [{ minute: 0, body }]);
    // act
    const lines = await linesOf(dataDir, 'ana');
    // assert
    expect(lines).toEqual([
      'event  Order Placed — rejected: properties is over 256 KB',
      'event  Order Placed',
    ]);
  });

  it('says which traits an applied identify left out', async () => {
    // arrange
    const identify = { type: 'identify', userId: 'ana', messageId: 'i-1', traits: { plan: 'pro', n: 1e300 } };
    const body = rejectedMessageBody({
      rejectedAt: at(0),
      problems: [{ field: 'traits.n', message: 'is a number DynamoDB cannot store' }],
      partial: 'the rest of the event was applied',
      event: { ...identify, timestamp: at(0), traits: { n: 1e300 } },
    });
    const dataDir = await dataDirWith([identify], [{ minute: 0, body }]);
    // act
    const lines = await linesOf(dataDir, 'ana');
    // assert
    expect(lines).toEqual(['event  identify — left out: traits.n is a number DynamoDB cannot store']);
  });

  it('files an event under the customer id ingest reads (an integer, spaces around)', async () => {
    // arrange
    const dataDir = await dataDirWith([track('e-1', {}, 42), track('e-2', {}, ' 42 ')], []);
    // act
    const lines = await linesOf(dataDir, '42');
    // assert
    expect(lines).toEqual(['event  Order Placed', 'event  Order Placed']);
  });

  it('shows a rejected event whatever shape its fields had (an epoch timestamp, a number for a name, traits not an object)', async () => {
    // arrange
    const epoch = { ...track('e-1', {}), timestamp: 1_772_442_000_000 };
    const numbered = { ...track('e-2', {}), event: 7 };
    const identify = { type: 'identify', userId: 'ana', messageId: 'i-1', timestamp: at(0), traits: 'pro' };
    const zoned = { ...identify, messageId: 'i-2', traits: { timezone: 60 } };
    const rejected = [epoch, numbered, identify].map((event) => ({
      minute: 0,
      body: rejectedMessageBody({
        rejectedAt: at(0),
        problems: [{ field: 'f', message: 'is wrong' }],
        event,
      }),
    }));
    const dataDir = await dataDirWith([epoch, numbered, identify, zoned], rejected);
    // act
    const lines = await linesOf(dataDir, 'ana');
    // assert
    expect(lines).toEqual([
      'event  Order Placed — rejected: f is wrong',
      'event  track — rejected: f is wrong',
      'event  identify — rejected: f is wrong',
      'event  identify',
    ]);
  });

  it("files an anonymous visitor's events under the profile key their enrollments carry", async () => {
    // arrange
    const visit = { ...track('v-1', {}), userId: undefined, anonymousId: ' visitor-7 ' };
    const dataDir = await dataDirWith([visit], []);
    // act
    const lines = await linesOf(dataDir, profileKeys.anonymous('visitor-7'));
    // assert
    expect(lines).toEqual(['event  Order Placed']);
  });
});
