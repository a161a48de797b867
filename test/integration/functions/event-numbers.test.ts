import { SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { awaitDepsOf, awaitInput, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * A number past 2^53 in an event (an order id sent as a JSON number, 1e20)
 * is the double JSON.parse made of it, stored and read back as that double:
 * a waiter correlating on it is registered and answered by the same literal
 * in the awaited event, and ingest keeps such an event like any other.
 * Before, the document client refused to write the number: the wait step
 * failed, and every delivery of the awaited event failed ingest.
 */

/** An order id as an event's JSON carries it (90071992547409940 once parsed). */
const ORDER_ID: number = JSON.parse('90071992547409930');
/** Another id past 2^53: a different double. */
const OTHER_ID: number = JSON.parse('90071992547409990');

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('event-numbers');
  await registerJourney(db, {
    id: 'big-order',
    name: 'Big order',
    trigger: { type: 'event', event: 'Order Placed', correlationKey: 'event.properties.orderId' },
    goal: { event: 'Review Written', within: 'P7D', value: 'event.properties.total' },
    reentry: 'always',
    start: 'wait-ship',
    steps: {
      'wait-ship': {
        type: 'waitForEvent',
        event: 'Order Shipped',
        match: { 'event.properties.orderId': 'trigger.properties.orderId' },
        timeout: 'P2D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  });
});
afterAll(async () => db.stop());

describe('an event carrying a number past 2^53', () => {
  it('enrolls with the number in the execution input, exactly as the event carried it', async () => {
    const { deps, sfn } = ingestDeps(db);
    const result = await ingestEvent(
      deps,
      track('u-enrol', 'Order Placed', { orderId: ORDER_ID, total: 1e20 }),
    );
    expect(result.status === 'recorded' && result.enrolled).toHaveLength(1);
    const input = JSON.parse(String(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input));
    expect(input.trigger.properties).toEqual({ orderId: ORDER_ID, total: 1e20 });
  });

  it('registers a waiter correlating on it, answered by the same literal and not by another id', async () => {
    // arrange
    const { deps, sfn } = ingestDeps(db);
    const trigger = track('u-wait', 'Order Placed', { orderId: ORDER_ID, total: 1e20 });
    const input = awaitInput('u-wait', {
      journeyId: 'big-order',
      stepId: 'wait-ship',
      event: 'Order Shipped',
      timeoutSeconds: 172_800,
      startedAt: '2026-11-24T10:00:00Z',
      trigger,
      match: [{ path: 'event.properties.orderId', value: ORDER_ID }],
    });
    // act
    const waiting = await awaitEvent(awaitDepsOf(db, deps), input);
    const other = await ingestEvent(
      deps,
      track('u-wait', 'Order Shipped', { orderId: OTHER_ID, weight: 1e100 }, '2026-11-24T10:05:00Z'),
    );
    const resumedByOther = sfn.commandCalls(SendTaskSuccessCommand).length;
    const same = await ingestEvent(
      deps,
      track('u-wait', 'Order Shipped', { orderId: JSON.parse('90071992547409930') }, '2026-11-24T10:06:00Z'),
    );
    // assert
    expect(waiting.status).toBe('waiting');
    expect(other.status).toBe('recorded');
    expect(resumedByOther).toBe(0);
    expect(same.status).toBe('recorded');
    const answers = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input);
    expect(answers.map((a) => a.taskToken)).toEqual(['token-u-wait']);
    expect(JSON.parse(String(answers[0]?.output)).properties.orderId).toBe(ORDER_ID);
  });

  it('resumes a waiter at once from the awaited event kept before the step began', async () => {
    const { deps, sfn } = ingestDeps(db);
    await ingestEvent(deps, track('u-early', 'Order Shipped', { orderId: ORDER_ID }, '2026-11-24T10:01:00Z'));
    const resumed = await awaitEvent(
      awaitDepsOf(db, deps),
      awaitInput('u-early', {
        journeyId: 'big-order',
        stepId: 'wait-ship',
        event: 'Order Shipped',
        timeoutSeconds: 172_800,
        startedAt: '2026-11-24T10:00:00Z',
        trigger: track('u-early', 'Order Placed', { orderId: ORDER_ID }),
        match: [{ path: 'event.properties.orderId', value: ORDER_ID }],
      }),
    );
    expect(resumed.status).toBe('resumed');
    const output = JSON.parse(String(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output));
    expect(output.properties.orderId).toBe(ORDER_ID);
  });

  it('reads a stored number past 2^53 back as the same JavaScript number, never a BigInt', async () => {
    const key = { userId: 'u-read' };
    const values = { id: ORDER_ID, big: 1e20, huge: 1.5e25, negative: -ORDER_ID, list: [1e21, 0.5] };
    await db.doc.send(new PutCommand({ TableName: db.tables.profiles, Item: { ...key, values } }));
    const read = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: key }));
    expect(read.Item?.values).toEqual(values);
  });

  it('reads a conversion sum DynamoDB added past 2^53 as the nearest number, not leaving it out', async () => {
    // arrange: two conversions on one shard; DynamoDB adds their values exactly, to digits no double is written as
    const stats = new StatsRepository(db.doc, db.tables.stats, { random: () => 0 });
    const key = { journeyId: 'big-sums', version: '1', metric: 'converted' };
    await stats.increment(key, 1, Number.MAX_SAFE_INTEGER);
    await stats.increment(key, 1, 2);
    // act
    const { counters } = await stats.read('big-sums');
    // assert
    expect(counters.map((row) => [row.metric, row.count, row.sum])).toEqual([
      ['converted', 2, Number(9_007_199_254_740_993n)],
    ]);
  });
});
