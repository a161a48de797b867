import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JourneyClock } from '#infra/local/runtime/clock.ts';
import { QueueWorker, type SqsEventRecord } from '#infra/local/runtime/queue-worker.ts';

const T0 = Date.parse('2026-11-24T00:00:00Z');

let dir: string;
let clock: JourneyClock;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'queue-worker-'));
  clock = new JourneyClock(T0);
});

/** Lets journey time pass the retry delays, then waits for the queue to drain. */
async function drained(queue: QueueWorker): Promise<void> {
  await clock.advanceTo(T0 + 60_000);
  await queue.idle();
}
afterEach(async () => rm(dir, { recursive: true, force: true }));

function worker(errors: string[] = []): QueueWorker {
  return new QueueWorker('work', {
    batchSize: 3,
    concurrency: 2,
    maxReceiveCount: 3,
    retryDelayMs: 1_000,
    deadLetters: join(dir, 'dead.jsonl'),
    onError: (m) => errors.push(m),
    clock,
  });
}

describe('QueueWorker', () => {
  it('delivers every message as SQS event records, a batch at a time', async () => {
    const queue = worker();
    const batches: SqsEventRecord[][] = [];
    queue.bind(async (event) => {
      batches.push(event.Records);
      return { batchItemFailures: [] };
    });

    for (let i = 0; i < 7; i++) queue.send(`m${i}`);
    await drained(queue);

    expect(
      batches
        .flat()
        .map((r) => r.body)
        .sort(),
    ).toStrictEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(Math.max(...batches.map((b) => b.length))).toBe(3);
    expect(batches[0]?.[0]).toMatchObject({
      eventSource: 'aws:sqs',
      attributes: { ApproximateReceiveCount: '1' },
    });
  });

  it('receives the reported failures again and dead-letters a message that keeps failing', async () => {
    const errors: string[] = [];
    const queue = worker(errors);
    const received: string[] = [];
    queue.bind(async ({ Records }) => {
      received.push(...Records.map((r) => `${r.body}@${r.attributes.ApproximateReceiveCount}`));
      const failing = Records.filter(
        (r) => r.body === 'poison' || (r.body === 'flaky' && r.attributes.ApproximateReceiveCount === '1'),
      );
      return { batchItemFailures: failing.map((r) => ({ itemIdentifier: r.messageId })) };
    });

    queue.send('flaky');
    queue.send('poison');
    queue.send('fine');
    await drained(queue);

    expect(received.sort()).toStrictEqual([
      'fine@1',
      'flaky@1',
      'flaky@2',
      'poison@1',
      'poison@2',
      'poison@3',
    ]);
    const dead = (await readFile(join(dir, 'dead.jsonl'), 'utf8')).trim().split('\n');
    expect(dead.map((line) => JSON.parse(line).body)).toStrictEqual(['poison']);
    expect(errors).toHaveLength(1);
    // Each receive after the first waited the visibility timeout of journey time.
    expect(JSON.parse(dead[0] ?? '{}').failedAt).toBe(new Date(T0 + 2_000).toISOString());
  });

  it('receives the whole batch again when the function throws', async () => {
    const queue = worker();
    let calls = 0;
    const done: string[] = [];
    queue.bind(async ({ Records }) => {
      calls += 1;
      if (calls === 1) throw new Error('cold start failed');
      done.push(...Records.map((r) => r.body));
      return undefined;
    });

    queue.send('a');
    queue.send('b');
    await drained(queue);

    expect(done.sort()).toStrictEqual(['a', 'b']);
  });
});
